// ipc-playground: the window, or with a command (list, run) the headless CLI.
#include "cli.h"

#include <cstdio>

int main(int argc, char **argv)
{
    if (ipc::isCliCommand(argc, argv)) return ipc::cliMain(argc, argv);
    std::fprintf(stderr, "ipc-playground: the window is not built yet; try 'ipc-playground run race'\n");
    return 2;
}
