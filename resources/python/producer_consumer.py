# Producers put items on a bounded queue; consumers take them off. A full
# queue blocks producers, an empty one blocks consumers. One sentinel per
# consumer says "no more items".
from multiprocessing import Process, Queue
import itertools, time

SENTINEL = None

def producer(q, items, delay):
    for i in ${items > 0 ? range(items) | itertools.count()}:
        q.put(i)                  # blocks while the queue holds maxsize items
        time.sleep(delay)

def consumer(q, work):
    while (item := q.get()) is not SENTINEL:   # blocks while the queue is empty
        time.sleep(work)

if __name__ == "__main__":
    q = Queue(maxsize=${maxsize})
    producers = [Process(target=producer, args=(q, ${items:_}, ${rate > 0 ? 1 / ${rate:_} | 0.0})) for _ in range(${producers})]
    consumers = [Process(target=consumer, args=(q, ${work_us / 1000000:_})) for _ in range(${consumers})]
    for p in producers + consumers: p.start()
    for p in producers: p.join()
    for _ in consumers: q.put(SENTINEL)
    for c in consumers: c.join()
