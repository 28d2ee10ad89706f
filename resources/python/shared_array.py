# Workers transform chunks of one large shared array in place; nothing is
# copied. ${array ? A multiprocessing.Array lives in memory every child inherits. | SharedMemory gives a named block any process can attach.}
from multiprocessing import Process, Array
from multiprocessing.shared_memory import SharedMemory

K = ${k:_}

def transform(name, start, end, rounds):
    shm = SharedMemory(name=name)               # attach by name
    view = shm.buf.cast("d")
    for _ in range(rounds):
        for i in range(start, end):
            view[i] = ${op == "square" ? view[i] * view[i] | ${op == "cube" ? view[i] ** 3 | ${op == "scale" ? view[i] * K | view[i] + K}}}
    del view; shm.close()

if __name__ == "__main__":
    n, workers = ${elements:_}, ${workers}
    shm = SharedMemory(create=True, size=n * 8)
    data = shm.buf.cast("d")
    for i in range(n): data[i] = i * 0.001
    step = n // workers
    procs = [Process(target=transform, args=(shm.name, k * step, n if k == workers - 1 else (k + 1) * step, ${rounds}))
             for k in range(workers)]
    for p in procs: p.start()
    for p in procs: p.join()
    print(data[10], data[n - 1])
    del data; shm.close(); shm.unlink()         # unlink, or the segment leaks
