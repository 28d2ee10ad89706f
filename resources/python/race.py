# ${processes} processes add 1 to one shared counter. `value += 1` is a read and
# then a write: two processes can read the same old value, and one update
# is lost. With the lock the total is exact.
from multiprocessing import Process, Value, Lock

def count(counter, lock, use_lock):
    ${increments > 0 ? for _ in range(${increments:_}): | while True:                        # until stopped}
        if use_lock.value:                 # the switch acts on running processes
            with lock:                     # or: with counter.get_lock():
                counter.value += 1
        else:
            counter.value += 1             # read, (another process runs), write

if __name__ == "__main__":
    counter = Value("q", 0, lock=False)
    lock, use_lock = Lock(), Value("b", ${lock})
    procs = [Process(target=count, args=(counter, lock, use_lock))
             for _ in range(${processes})]
    for p in procs: p.start()
    for p in procs: p.join()
    print(f"expected ${increments > 0 ? ${processes * increments:_} | (as many as were done)}, got {counter.value}")
