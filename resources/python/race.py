# Four processes add 1 to one shared counter. `value += 1` is a read and
# then a write: two processes can read the same old value, and one update
# is lost. With the lock the total is exact.
from multiprocessing import Process, Value, Lock

def count(counter, lock, n, use_lock):
    for _ in range(n):
        if use_lock:
            with lock:                     # or: with counter.get_lock():
                counter.value += 1
        else:
            counter.value += 1             # read, (another process runs), write

if __name__ == "__main__":
    for use_lock in (False, True):
        counter = Value("i", 0, lock=False)
        lock = Lock()
        procs = [Process(target=count, args=(counter, lock, 50_000, use_lock))
                 for _ in range(4)]
        for p in procs: p.start()
        for p in procs: p.join()
        print(f"lock={use_lock}: expected 200000, got {counter.value}")
