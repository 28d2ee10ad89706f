#include "schedule.h"

#include "board.h"

#include <QFile>

namespace ipc {

Result<std::vector<std::uint32_t>> parseSchedule(std::string_view text, std::string_view where)
{
    const std::string w(where);
    const auto excerpt = [&](std::size_t at) { return std::string(text.substr(at, 12)); };
    std::vector<std::uint32_t> steps;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t start = text.find_first_of("0123456789", at);
        if (start == std::string_view::npos) break;
        if (const std::size_t bad = text.find_first_not_of(", \t\n\r", at); bad < start)
            return fail(Errc::InvalidArgument, w + ": '" + excerpt(bad) + "' at character " + std::to_string(bad + 1) +
                                                   " is not a process number");
        std::size_t end = text.find_first_not_of("0123456789", start);
        if (end == std::string_view::npos) end = text.size();
        const std::string number(text.substr(start, end - start));
        if (number.size() > 3 || std::stoul(number) >= Board::kMaxSlots)
            return fail(Errc::InvalidArgument, w + ": process " + number + " at character " + std::to_string(start + 1) +
                                                   " is out of range [0, " + std::to_string(Board::kMaxSlots - 1) + "]");
        steps.push_back(std::uint32_t(std::stoul(number)));
        at = end;
    }
    if (const std::size_t bad = text.find_first_not_of("0123456789, \t\n\r", at); bad != std::string_view::npos)
        return fail(Errc::InvalidArgument, w + ": '" + excerpt(bad) + "' at character " + std::to_string(bad + 1) +
                                               " is not a process number");
    if (steps.empty()) return fail(Errc::InvalidArgument, w + ": no process numbers");
    return steps;
}

Result<std::vector<std::uint32_t>> readScheduleFile(const std::string &path)
{
    constexpr qint64 kMaxBytes = 1 << 20;
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        return fail(Errc::InvalidArgument, "cannot read '" + path + "' (" + file.errorString().toStdString() + ")");
    if (file.size() > kMaxBytes)
        return fail(Errc::InvalidArgument, "'" + path + "' is larger than " + std::to_string(kMaxBytes) + " bytes");
    return parseSchedule(file.read(kMaxBytes).toStdString(), path);
}

std::string formatSchedule(const std::vector<std::uint32_t> &steps)
{
    std::string out;
    for (std::uint32_t s : steps) {
        if (!out.empty()) out += ',';
        out += std::to_string(s);
    }
    return out + "\n";
}

} // namespace ipc
