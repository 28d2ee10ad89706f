# ${philosophers} philosophers, ${philosophers} forks (one Lock each). Each takes
# its left fork, then its right: if all hold their left fork at once, each
# waits for its neighbour for ever.
from multiprocessing import Process, Lock, Semaphore
import random, time

def philosopher(seat, forks, waiter, meals):
    n = len(forks)
    left, right = seat, (seat + 1) % n
    first, second = ${order ? min(left, right), max(left, right)   # the fix: a global order | left, right}
    eaten = 0
    while ${meals > 0 ? eaten < ${meals} | True}:
        time.sleep(random.uniform(0, ${think_ms} / 1000))   # think
        ${waiter ? with waiter:                                 # the fix: at most n-1 at the table
            with forks[first]:
                with forks[second]:
                    time.sleep(${eat_ms} / 1000)         # eat | with forks[first]:
            with forks[second]:                    # all hold their first fork: deadlock
                time.sleep(${eat_ms} / 1000)             # eat}
        eaten += 1

if __name__ == "__main__":
    forks = [Lock() for _ in range(${philosophers})]
    waiter = Semaphore(${philosophers} - 1)
    procs = [Process(target=philosopher, args=(s, forks, waiter, ${meals}))
             for s in range(${philosophers})]
    for p in procs: p.start()
    for p in procs: p.join()
