# Both ends send a large message before receiving. A pipe buffers only
# about 64 KiB, so each send blocks until the other side reads -- and
# neither reads. The fix: one side receives first (or a thread sends).
from multiprocessing import Process, Pipe

BIG = b"x" * (1 << 20)

def peer(conn, receive_first):
    if receive_first:
        conn.recv_bytes(); conn.send_bytes(BIG)
    else:
        conn.send_bytes(BIG); conn.recv_bytes()   # blocks in send_bytes forever

if __name__ == "__main__":
    fix = False
    a, b = Pipe()
    p = Process(target=peer, args=(b, fix)); p.start()
    a.send_bytes(BIG)                 # deadlock unless the child received first
    a.recv_bytes()
    p.join()
