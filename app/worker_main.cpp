// ipc-worker: the process every role of every scenario runs in.
#include "worker.h"

int main(int argc, char **argv) { return ipc::workerMain(argc, argv); }
