# A parent that does not join its children: each child that has finished
# stays a zombie (state Z in ps) until the parent joins it. At exit, Python
# terminates the daemon children (exitcode -15) and joins the others.
from multiprocessing import Process
import sys, time

def child(seconds, code):
    time.sleep(seconds)                  # the child's work
    sys.exit(code)                       # the exit code its parent's join() reads

def daemon_child():
    while True:
        time.sleep(0.1)                  # works until its parent ends it

if __name__ == "__main__":
    kids = [Process(target=child, args=((i + 1) * ${work_ms / 1000:_}, 3 if i == 1 else 0))
            for i in range(${children})]
    daemons = [Process(target=daemon_child, daemon=True) for _ in range(${daemons})]
    for p in kids + daemons: p.start()
    time.sleep(60)                       # the parent's own work, no join(): finished children are zombies
    for p in kids: p.join()              # join() reaps a zombie and sets p.exitcode
    print([p.exitcode for p in kids])    # 0 for a normal end, 3 for sys.exit(3)
    # at exit, Python terminates the daemons: their exitcode is -15 (-SIGTERM)
    # (multiprocessing.active_children() lists who is still running, and as a
    # side effect joins the finished ones)
