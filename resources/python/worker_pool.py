# A pool by hand: workers take tasks from one queue and put results on
# another. Fast workers simply take more tasks: the load spreads itself.
from multiprocessing import Process, Queue, current_process

def worker(tasks, results):
    for n in iter(tasks.get, None):              # until the sentinel
        results.put((current_process().name, n, n * n))

if __name__ == "__main__":
    tasks, results = Queue(), Queue()
    workers = [Process(target=worker, args=(tasks, results), name=f"w{i}")
               for i in range(4)]
    for w in workers: w.start()
    for n in range(100): tasks.put(n)
    for _ in workers: tasks.put(None)
    done = [results.get() for _ in range(100)]  # drain before joining
    for w in workers: w.join()
    per_worker = {}
    for name, _, _ in done: per_worker[name] = per_worker.get(name, 0) + 1
    print(per_worker)
