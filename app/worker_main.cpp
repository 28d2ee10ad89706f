// ipc-worker (and ipc-worker-qt): the process every role of every scenario
// runs in. The one registry of role names: the lessons' roles, then
// ipc-bench's.
#include "bench_roles.h"
#include "roles.h"
#include "worker.h"

#include <vector>

int main(int argc, char **argv)
{
    std::vector<ipc::RoleInfo> roles;
    for (auto part : {ipc::lessonRoles(), ipc::benchRoles()}) roles.insert(roles.end(), part.begin(), part.end());
    return ipc::workerMain(argc, argv, roles);
}
