# A pool by hand: workers take tasks from one queue and put results on
# another. Fast workers simply take more tasks: the load spreads itself.
from multiprocessing import Process, Queue, current_process
import time

def worker(tasks, results, work):
    for n in iter(tasks.get, None):              # until the sentinel
        time.sleep(work)                         # the task's work
        results.put((current_process().name, n, n * n))

if __name__ == "__main__":
    tasks, results = Queue(), Queue()
    work = ${work_us / 1000000:_}
    workers = [Process(target=worker, args=(tasks, results, ${slow_worker ? work * 4 if i == 0 else work | work}), name=f"w{i}")
               for i in range(${workers})]
    for w in workers: w.start()
    for n in range(${tasks}): tasks.put(n)
    for _ in workers: tasks.put(None)
    done = [results.get() for _ in range(${tasks})]  # drain before joining
    for w in workers: w.join()
    per_worker = {}
    for name, _, _ in done: per_worker[name] = per_worker.get(name, 0) + 1
    print(per_worker)
