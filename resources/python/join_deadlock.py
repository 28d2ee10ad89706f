# A child that has put ${items} items of ${item_kib} KiB on a queue that holds ${maxsize}
# cannot exit while they wait for a reader. Joining it before draining the
# queue waits forever. The fix: get() first, join() after.
from multiprocessing import Process, Queue

def child(q):
    for _ in range(${items}):
        q.put(b"x" * (${item_kib:_} * 1024))   # blocks once ${maxsize} are waiting

if __name__ == "__main__":
    q = Queue(maxsize=${maxsize})
    p = Process(target=child, args=(q,)); p.start()
    ${fix ? items = [q.get() for _ in range(${items})]   # the fix: drain first ... | p.join()                          # hangs: the child waits for a reader}
    ${fix ? p.join()                          # ... then join | items = [q.get() for _ in range(${items})]}
    print(len(items))
