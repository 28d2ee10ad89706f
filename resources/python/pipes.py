# Pipe() gives two connected ends. One-way: the reader sees EOFError once
# the writer has closed. Duplex: request and response on the same pipe.
from multiprocessing import Process, Pipe

def writer(conn):
    for i in range(5):
        conn.send(i)
    conn.close()                      # the reader's recv() now raises EOFError

def squarer(conn):
    while (n := conn.recv()) is not None:
        conn.send(n * n)

if __name__ == "__main__":
    reader, w = Pipe(duplex=False)
    p = Process(target=writer, args=(w,)); p.start(); w.close()
    try:
        while True: print("got", reader.recv())
    except EOFError:
        print("writer closed")
    p.join()

    here, there = Pipe()              # duplex
    p = Process(target=squarer, args=(there,)); p.start()
    for n in range(5):
        here.send(n); print(n, "->", here.recv())
    here.send(None); p.join()
