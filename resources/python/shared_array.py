# Workers transform chunks of one large shared array in place; nothing is
# copied. SharedMemory gives a named block any process can attach.
from multiprocessing import Process, Array
from multiprocessing.shared_memory import SharedMemory
import array

def square(name, start, end):
    shm = SharedMemory(name=name)               # attach by name
    view = shm.buf.cast("d")
    for i in range(start, end):
        view[i] = view[i] * view[i]
    del view; shm.close()

if __name__ == "__main__":
    n, workers = 1_000_000, 4
    shm = SharedMemory(create=True, size=n * 8)
    data = shm.buf.cast("d")
    for i in range(n): data[i] = i * 0.001
    step = n // workers
    procs = [Process(target=square, args=(shm.name, k * step, (k + 1) * step))
             for k in range(workers)]
    for p in procs: p.start()
    for p in procs: p.join()
    print(data[10], data[n - 1])
    del data; shm.close(); shm.unlink()         # unlink, or the segment leaks
