# Phases that wait for each other at a Barrier; output from several
# processes interleaves mid-line unless printing is done under a Lock.
from multiprocessing import Process, Barrier, Lock
import sys, time

def phase_worker(rank, barrier, lock, use_lock, work=${work_ms / 1000:_}):
    for phase in range(${phases}):
        line = f"process {rank} finished phase {phase}\n"
        if use_lock:
            with lock: write_slowly(line)
        else:
            write_slowly(line)                  # characters of several lines mix
        time.sleep((rank + 1) * work)           # the phase's work: rank ${processes - 1} is slowest
        barrier.wait()                          # nobody starts the next phase early

def write_slowly(text):
    for ch in text:
        sys.stdout.write(ch); sys.stdout.flush()

if __name__ == "__main__":
    n = ${processes}
    barrier, lock = Barrier(n), Lock()
    procs = [Process(target=phase_worker, args=(r, barrier, lock, ${lock ? True | False})) for r in range(n)]
    for p in procs: p.start()
    for p in procs: p.join()
