// Every input the fuzzers (fuzz/) ever found a problem with, kept under
// tests/core/data/fuzz-regressions/<target>/, and every seed of their corpora (fuzz/corpus/<target>/),
// run through the very harness code of that target: each must end in success or a clean
// phinet::Error (DataError, ConfigError). Another exception fails the row; a crash or a broken
// invariant (the harness aborts) fails the test.
#define PHINET_FUZZ_NO_ENTRY
#include "../../fuzz/fuzz_checkpoint.cpp"
#include "../../fuzz/fuzz_cifar.cpp"
#include "../../fuzz/fuzz_config.cpp"
#include "../../fuzz/fuzz_idx.cpp"
#include "../../fuzz/fuzz_imagefolder.cpp"
#include "../../fuzz/fuzz_int8.cpp"
#include "../../fuzz/fuzz_safetensors.cpp"
#include "../../fuzz/fuzz_state.cpp"

#include <QtTest/QtTest>

#include <map>
#include <typeinfo>

namespace {
using Harness = int (*)(const std::uint8_t*, size_t);

const std::map<std::string, Harness>& harnesses()
{
    static const std::map<std::string, Harness> m{{"fuzz_idx", phinet::fuzz::idx},
                                                  {"fuzz_cifar", phinet::fuzz::cifar},
                                                  {"fuzz_imagefolder", phinet::fuzz::imageFolder},
                                                  {"fuzz_safetensors", phinet::fuzz::safeTensors},
                                                  {"fuzz_checkpoint", phinet::fuzz::checkpoint},
                                                  {"fuzz_int8", phinet::fuzz::int8},
                                                  {"fuzz_config", phinet::fuzz::config},
                                                  {"fuzz_state", phinet::fuzz::state}};
    return m;
}

std::string readAll(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
} // namespace

class TestFuzzRegress : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { phinet::fuzz::init(); }
    void inputs_data();
    void inputs();
    void everyTargetHasSeeds();
};

void TestFuzzRegress::inputs_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("file");
    const std::filesystem::path src = PHINET_SOURCE_DIR;
    for (const auto& base : {src / "tests/core/data/fuzz-regressions", src / "fuzz/corpus"}) {
        if (!std::filesystem::is_directory(base)) continue;
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::recursive_directory_iterator(base))
            if (e.is_regular_file()) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            const auto target = f.parent_path().filename().string();
            const auto rel = std::filesystem::relative(f, src).string();
            QTest::newRow(rel.c_str()) << QString::fromStdString(target) << QString::fromStdString(f.string());
        }
    }
}

void TestFuzzRegress::inputs()
{
    QFETCH(QString, target);
    QFETCH(QString, file);
    const auto it = harnesses().find(target.toStdString());
    QVERIFY2(it != harnesses().end(), qPrintable("no fuzz target named " + target + " (folder of " + file + ")"));
    const auto bytes = readAll(file.toStdString());
    try {
        QCOMPARE(it->second(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("%1 escaped with %2: %3").arg(file, typeid(e).name(), e.what())));
    }
}

void TestFuzzRegress::everyTargetHasSeeds()
{
    for (const auto& [name, fn] : harnesses()) {
        const auto dir = std::filesystem::path(PHINET_SOURCE_DIR) / "fuzz/corpus" / name;
        QVERIFY2(std::filesystem::is_directory(dir) && !std::filesystem::is_empty(dir),
                 qPrintable(QString::fromStdString(dir.string() + ": no seed corpus")));
    }
}

QTEST_GUILESS_MAIN(TestFuzzRegress)
#include "tst_fuzzregress.moc"
