# Each process has its own memory: a global changed in a child stays
# unchanged in the parent. Only a shared Value is seen by everyone.
from multiprocessing import Process, Value

counter = 0                      # an ordinary global: copied into each child

def work(shared, n):
    global counter
    for _ in range(n):
        counter += 1             # changes the child's own copy
        with shared.get_lock():
            shared.value += 1    # changes memory every process maps

if __name__ == "__main__":
    shared = Value("i", 0)
    procs = [Process(target=work, args=(shared, ${increments:_})) for _ in range(${processes})]
    for p in procs: p.start()
    for p in procs: p.join()
    print("global in parent:", counter)       # 0
    print("shared value:    ", shared.value)  # ${processes * increments:_}
