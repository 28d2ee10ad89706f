// options.h: a struct of options written to a command line (toArgs) and
// read back (parseOptions) is the struct again, every kind of field; what
// differs from the defaults is all that is written; a bad or unknown
// option is refused naming it; usage() names every option.
#include "options.h"

#include <QTest>

using namespace ipc;

namespace {

struct Inner {
    std::int64_t fd = -1;
    std::string mode = "duplex";

    template <class F>
    void fields(F &f)
    {
        f.integer("fd", fd, -1, 1 << 20, "FD");
        f.choice("mode", mode, {"duplex", "read", "write"});
    }
    bool operator==(const Inner &) const = default;
};

struct Sample {
    static constexpr std::string_view kRole = "sample";
    std::string queue = "queue";
    std::int64_t items = 1000;
    int small = 3;
    double k = 2.0;
    bool board = true;
    std::optional<std::string> barrier;
    std::vector<std::int64_t> codes;
    Inner pipe;
    std::int64_t first = 0;
    std::int64_t last = 10;

    template <class F>
    void fields(F &f)
    {
        f.text("queue", queue);
        f.integer("items", items, 0, 1'000'000);
        f.integer("small", small, -5, 5, "S");
        f.real("k", k, -1e9, 1e9, "K");
        f.boolean("board", board);
        f.text("barrier", barrier);
        f.integers("codes", codes, 0, 125, "C,..");
        f.group("pipe", pipe);
        f.integer("first", first, 0, 100);
        f.integer("last", last, 0, 100);
    }
    [[nodiscard]] Result<void> check() const
    {
        if (last < first) return fail(Errc::InvalidArgument, "--last is before --first");
        return {};
    }
    bool operator==(const Sample &) const = default;
};

Result<Sample> parsed(const std::vector<std::string> &words)
{
    auto args = Args::parse(words);
    if (!args) return std::unexpected(args.error());
    return parseOptions<Sample>(*args);
}

} // namespace

class TestOptions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsWriteNothingAndReadBackAsDefaults()
    {
        QVERIFY(toArgs(Sample{}).empty());
        auto back = parsed({});
        QVERIFY(back);
        QVERIFY(*back == Sample{});
    }

    void everyKindOfFieldSurvivesTheCommandLine()
    {
        const Sample changed{.queue = "tasks",
                             .items = 0,
                             .small = -5,
                             .k = 0.1,
                             .board = false,
                             .barrier = "rounds",
                             .codes = {0, 3, 125},
                             .pipe = {.fd = 7, .mode = "read"},
                             .first = 4,
                             .last = 9};
        const std::vector<std::string> words = toArgs(changed);
        auto back = parsed(words);
        QVERIFY2(back, back ? "" : back.error().message.c_str());
        QVERIFY(*back == changed); // 0.1 too: the text is the shortest that reads back exactly
        // Every field differs here (the group's two too): eleven options, two words each.
        QCOMPARE(words.size(), std::size_t(22));
        const auto at = std::find(words.begin(), words.end(), "--pipe-fd");
        QVERIFY(at != words.end() && *(at + 1) == "7");
        QVERIFY(std::find(words.begin(), words.end(), "--codes") + 1 < words.end());
        QCOMPARE(*(std::find(words.begin(), words.end(), "--codes") + 1), std::string("0,3,125"));
    }

    void oneFieldChangedIsOneOptionWritten()
    {
        Sample s;
        s.pipe.mode = "write";
        QCOMPARE(toArgs(s), (std::vector<std::string>{"--pipe-mode", "write"}));
    }

    void anUnknownOptionIsRefusedByName()
    {
        auto r = parsed({"--items", "5", "--itmes", "6"});
        QVERIFY(!r);
        QCOMPARE(r.error().code, Errc::InvalidArgument);
        QCOMPARE(r.error().message, std::string("unknown option --itmes"));
        // A group's keys take its prefix: --fd alone is not one of them.
        QVERIFY(!parsed({"--fd", "3"}));
    }

    void aBadValueIsRefusedNamingTheOption()
    {
        struct Case {
            std::vector<std::string> words;
            const char *named;
        };
        const Case cases[] = {
            {{"--items", "-1"}, "--items"},
            {{"--items", "many"}, "--items"},
            {{"--small", "6"}, "--small"},
            {{"--k", "nan"}, "--k"},
            {{"--board", "maybe"}, "--board"},
            {{"--codes", "1,,2"}, "--codes"},
            {{"--codes", "1,126"}, "--codes"},
            {{"--pipe-fd", "-2"}, "--pipe-fd"},
            {{"--pipe-mode", "sideways"}, "--pipe-mode"},
        };
        for (const Case &c : cases) {
            auto r = parsed(c.words);
            QVERIFY2(!r, c.words[0].c_str());
            QCOMPARE(r.error().code, Errc::InvalidArgument);
            QVERIFY2(r.error().message.find(c.named) != std::string::npos, r.error().message.c_str());
        }
    }

    void theStructsOwnCheckRunsAfterTheFields()
    {
        auto r = parsed({"--first", "8", "--last", "2"});
        QVERIFY(!r);
        QCOMPARE(r.error().message, std::string("--last is before --first"));
        QVERIFY(parsed({"--first", "8", "--last", "8"}));
    }

    void usageNamesEveryOption()
    {
        const std::string line = usage<Sample>();
        for (const char *part : {"--queue NAME", "--items N", "--small S", "--k K", "--board on|off",
                                 "[--barrier NAME]", "--codes C,..", "--pipe-fd FD", "--pipe-mode duplex|read|write",
                                 "--first N", "--last N"})
            QVERIFY2(line.find(part) != std::string::npos, part);
    }
};

QTEST_GUILESS_MAIN(TestOptions)
#include "tst_options.moc"
