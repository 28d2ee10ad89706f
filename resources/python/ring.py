# N processes in a ring of pipes. Each owns some particles. Every time step
# each process sends positions to its right neighbour and receives from its
# left; after N-1 hops every process has felt every particle's force.
from multiprocessing import Process, Pipe
import math

def stage(rank, n, left, right, mine, steps, dt=0.01):
    for _ in (range(steps) if steps else iter(int, 1)):   # steps 0: until stopped
        force = [0.0] * len(mine)
        passing = list(mine)
        for hop in range(n):
            for i, x in enumerate(mine):
                for y in passing:
                    d = y - x
                    if d: force[i] += math.copysign(1.0 / (d * d + 0.01), d)
            if hop < n - 1:
                right.send(passing)           # pass along the ring ...
                passing = left.recv()         # ... and take the neighbour's
        mine = [x + dt * f for x, f in zip(mine, force)]

if __name__ == "__main__":
    n = ${stages}
    pipes = [Pipe() for _ in range(n)]        # pipe i: from stage i to stage i+1
    procs = [Process(target=stage, args=(r, n, pipes[(r - 1) % n][1], pipes[r][0],
                                         [r + 0.1 * k for k in range(${particles})], ${steps}))
             for r in range(n)]
    for p in procs: p.start()
    for p in procs: p.join()
