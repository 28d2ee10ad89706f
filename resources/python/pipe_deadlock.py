# Both ends send a large message before receiving. A Pipe() buffers only a
# few hundred KiB (a socket pair on Linux), so each send blocks until the
# other side reads -- and neither reads. The fix: one side receives first.
from multiprocessing import Process, Pipe

BIG = b"x" * (${size_kb:_} * 1024)

def peer(conn, receive_first):
    if receive_first:
        conn.recv_bytes(); conn.send_bytes(BIG)
    else:
        conn.send_bytes(BIG); conn.recv_bytes()   # blocks in send_bytes${size_kb >= 1024 ? forever | unless BIG fits in the buffer}

if __name__ == "__main__":
    fix = ${fix ? True | False}
    a, b = Pipe()
    p = Process(target=peer, args=(b, fix)); p.start()
    a.send_bytes(BIG)                 # deadlock unless the child received first
    a.recv_bytes()
    p.join()
