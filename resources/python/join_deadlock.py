# A process that has put large items on a queue does not exit until they
# are flushed into the pipe, and that needs a reader. Joining it before
# draining the queue waits forever. The fix: get() first, join() after.
from multiprocessing import Process, Queue

def child(q):
    q.put(b"x" * 1_000_000)           # flushed by a feeder thread at exit

if __name__ == "__main__":
    q = Queue()
    p = Process(target=child, args=(q,)); p.start()
    # p.join()                        # hangs: the child waits for a reader
    data = q.get()                    # the fix: drain first ...
    p.join()                          # ... then join
    print(len(data))
