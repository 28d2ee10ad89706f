# A Manager is a server process that holds ordinary Python objects; other
# processes use them through proxies, one request per operation. So
# `ns.x += 1` is a get and a set, and updates are lost without a lock.
from multiprocessing import Manager, Process

def bump(ns, lock, n, use_lock):
    for _ in range(n):
        if use_lock:
            with lock: ns.x += 1
        else:
            ns.x += 1

if __name__ == "__main__":
    with Manager() as m:
        ns, lock = m.Namespace(), m.Lock()
        ns.x = 0
        procs = [Process(target=bump, args=(ns, lock, ${increments:_}, ${lock ? True | False})) for _ in range(${processes})]
        for p in procs: p.start()
        for p in procs: p.join()
        print(f"expected ${processes * increments:_}, got {ns.x}")
        d = m.dict(); d["hello"] = "world"      # dict, list, Queue, Value too
