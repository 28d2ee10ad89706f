// A step schedule as text: the process of each step, in order, "0,1,0,1".
// What `run --schedule` reads, File > Save schedule writes and Run >
// Replay schedule reads back (Scenario::schedule() is the run's).
#pragma once

#include "result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipc {

// Process numbers separated by commas and white space. InvalidArgument
// naming the character that is not a process number, or the number out of
// range, and where; or that there is none. `where` begins each message.
[[nodiscard]] Result<std::vector<std::uint32_t>> parseSchedule(std::string_view text, std::string_view where);
// A file of that text (at most 1 MiB).
[[nodiscard]] Result<std::vector<std::uint32_t>> readScheduleFile(const std::string &path);
// "0,1,0,1\n"
[[nodiscard]] std::string formatSchedule(const std::vector<std::uint32_t> &steps);

} // namespace ipc
