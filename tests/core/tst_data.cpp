// Data readers on files the test writes itself (good and bad), the bundled subset, splits and batches.
#include "phinet/common/Error.h"
#include "phinet/common/Paths.h"
#include "phinet/data/Dataset.h"

#include <stb_image_write.h>

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

using namespace phinet;
namespace fs = std::filesystem;

namespace {

void writeBytes(const fs::path& p, const std::vector<unsigned char>& bytes)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

/// Tiny MNIST-like split: n images 28x28 whose pixels encode (index, label).
void writeMnist(const fs::path& dir, const std::string& prefix, int n, bool gz)
{
    fs::create_directories(dir);
    auto img = torch::zeros({n, 28, 28}, torch::kUInt8);
    auto lbl = torch::zeros({n}, torch::kUInt8);
    for (int i = 0; i < n; ++i) {
        img[i][0][0] = i;
        img[i][5][7] = 200;
        lbl[i] = i % 10;
    }
    const std::string ext = gz ? ".gz" : "";
    writeIdx(dir / (prefix + "-images-idx3-ubyte" + ext), img);
    writeIdx(dir / (prefix + "-labels-idx1-ubyte" + ext), lbl);
}

void writeCifarBatch(const fs::path& p, int records, int labelBase)
{
    std::vector<unsigned char> bytes;
    for (int r = 0; r < records; ++r) {
        bytes.push_back(static_cast<unsigned char>((labelBase + r) % 10));
        for (int c = 0; c < 3; ++c)
            for (int i = 0; i < 1024; ++i)
                bytes.push_back(static_cast<unsigned char>(c * 80 + r));
    }
    writeBytes(p, bytes);
}

void writePng(const fs::path& p, int w, int h, int channels, unsigned char value)
{
    fs::create_directories(p.parent_path());
    std::vector<unsigned char> px(size_t(w * h * channels), value);
    QVERIFY(stbi_write_png(p.c_str(), w, h, channels, px.data(), w * channels));
}

template <typename F> QString dataErrorOf(F&& f)
{
    try {
        f();
    } catch (const DataError& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

} // namespace

class TestData : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir(const char* name) { return fs::path(tmp_.path().toStdString()) / name; }

private Q_SLOTS:
    void init() { clearDataCache(); }

    void idxRoundTrip_data()
    {
        QTest::addColumn<bool>("gz");
        QTest::newRow("raw") << false;
        QTest::newRow("gzip") << true;
    }
    void idxRoundTrip()
    {
        QFETCH(bool, gz);
        const auto d = dir(gz ? "idx-gz" : "idx-raw");
        writeMnist(d, "train", 25, gz);
        writeMnist(d, "t10k", 12, gz);
        auto train = loadIdxFolder(d, Split::Train);
        QCOMPARE(train.size(), int64_t(25));
        QCOMPARE(train.images.sizes().vec(), (std::vector<int64_t>{25, 1, 28, 28}));
        QCOMPARE(train.images[13][0][0][0].item<int>(), 13);
        QCOMPARE(train.images[13][0][5][7].item<int>(), 200);
        QCOMPARE(train.labels[13].item<int64_t>(), int64_t(3));
        QCOMPARE(train.labels.scalar_type(), torch::kLong);
        auto test = loadIdxFolder(d, Split::Test);
        QCOMPARE(test.size(), int64_t(12));
    }

    void idxBadInput_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("expected");
        QTest::newRow("magic") << "magic"
                               << "not an IDX file";
        QTest::newRow("truncated") << "truncated"
                                   << "truncated";
        QTest::newRow("count mismatch") << "count"
                                        << "labels";
        QTest::newRow("missing labels") << "missing"
                                        << "no train-labels";
        QTest::newRow("element type") << "type"
                                      << "not supported";
    }
    void idxBadInput()
    {
        QFETCH(QString, fault);
        QFETCH(QString, expected);
        const auto d = dir(qPrintable(QStringLiteral("bad-") + fault));
        writeMnist(d, "train", 20, false);
        const auto images = d / "train-images-idx3-ubyte";
        const auto labels = d / "train-labels-idx1-ubyte";
        if (fault == QLatin1String("magic")) writeBytes(images, {0x1f, 0x00, 0x08, 0x03, 0, 0, 0, 1});
        if (fault == QLatin1String("truncated")) fs::resize_file(images, fs::file_size(images) - 100);
        if (fault == QLatin1String("count")) writeIdx(labels, torch::zeros({19}, torch::kUInt8));
        if (fault == QLatin1String("missing")) fs::remove(labels);
        if (fault == QLatin1String("type"))
            writeBytes(images, {0, 0, 0x0D, 0x03, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0});
        const QString msg = dataErrorOf([&] { loadIdxFolder(d, Split::Train); });
        QVERIFY2(msg.contains(expected), qPrintable(msg));
        QVERIFY2(msg.contains(QString::fromStdString(d.string())), qPrintable(msg)); // names the file or folder
    }

    void cifarBinary()
    {
        const auto d = dir("cifar-bin");
        for (int i = 1; i <= 5; ++i)
            writeCifarBatch(d / ("data_batch_" + std::to_string(i) + ".bin"), 3, i);
        writeCifarBatch(d / "test_batch.bin", 4, 0);
        std::ofstream(d / "batches.meta.txt") << "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n";
        auto train = loadCifar10Binary(d, Split::Train);
        QCOMPARE(train.size(), int64_t(15));
        QCOMPARE(train.images.sizes().vec(), (std::vector<int64_t>{15, 3, 32, 32}));
        // record 1 of batch 2: label (2+1)%10, planes R=0*80+1, G=81, B=161
        QCOMPARE(train.labels[4].item<int64_t>(), int64_t(3));
        QCOMPARE(train.images[4][0][10][10].item<int>(), 1);
        QCOMPARE(train.images[4][1][0][0].item<int>(), 81);
        QCOMPARE(train.images[4][2][31][31].item<int>(), 161);
        QCOMPARE(train.classes.front(), std::string("a"));
        auto test = loadCifar10Binary(d, Split::Test);
        QCOMPARE(test.size(), int64_t(4));

        // loadData finds the binary batches for --dataset cifar10 and normalises with the study's stats
        DataConfig cfg;
        cfg.kind = DatasetKind::Cifar10;
        cfg.dataDir = d.string();
        auto splits = loadData(cfg);
        QCOMPARE(splits.train->size(), int64_t(15));
        QCOMPARE(splits.config.mean, (std::vector<double>{0.485, 0.456, 0.406}));
    }

    void cifarBadInput()
    {
        const auto d = dir("cifar-bad");
        for (int i = 1; i <= 5; ++i)
            writeCifarBatch(d / ("data_batch_" + std::to_string(i) + ".bin"), 2, i);
        fs::resize_file(d / "data_batch_3.bin", 3073 + 100);
        QString msg = dataErrorOf([&] { loadCifar10Binary(d, Split::Train); });
        QVERIFY2(msg.contains(QStringLiteral("data_batch_3.bin")) && msg.contains(QStringLiteral("3073")),
                 qPrintable(msg));
        writeCifarBatch(d / "data_batch_3.bin", 2, 0);
        auto bytes = std::vector<unsigned char>(3073, 0);
        bytes[0] = 42; // label out of range
        writeBytes(d / "data_batch_4.bin", bytes);
        msg = dataErrorOf([&] { loadCifar10Binary(d, Split::Train); });
        QVERIFY2(msg.contains(QStringLiteral("data_batch_4.bin")) && msg.contains(QStringLiteral("label 42")),
                 qPrintable(msg));
        msg = dataErrorOf([&] { loadCifar10Binary(d, Split::Test); });
        QVERIFY2(msg.contains(QStringLiteral("test_batch.bin")), qPrintable(msg));
    }

    void imageFolder()
    {
        const auto d = dir("folder");
        for (int i = 0; i < 3; ++i) {
            writePng(d / "train" / "cats" / ("c" + std::to_string(i) + ".png"), 16, 16, 3, 10);
            writePng(d / "train" / "dogs" / ("d" + std::to_string(i) + ".png"), 16, 16, 3, 250);
        }
        writePng(d / "test" / "cats" / "x.png", 16, 16, 3, 10);
        writePng(d / "test" / "dogs" / "y.png", 20, 12, 3, 250); // other size: resized
        auto train = loadImageFolder(d, Split::Train, {0, 0}, true);
        QCOMPARE(train.size(), int64_t(6));
        QCOMPARE(train.classes, (std::vector<std::string>{"cats", "dogs"}));
        QCOMPARE(train.images.sizes().vec(), (std::vector<int64_t>{6, 3, 16, 16}));
        QCOMPARE(train.labels[4].item<int64_t>(), int64_t(1));
        QCOMPARE(train.images[4][2][3][3].item<int>(), 250);
        auto test = loadImageFolder(d, Split::Test, {16, 16}, true, train.classes);
        QCOMPARE(test.images.sizes().vec(), (std::vector<int64_t>{2, 3, 16, 16}));
        QVERIFY(std::abs(test.images[1][0][8][8].item<int>() - 250) <= 1);
        // resizing off: the odd image is an error naming it
        QString msg = dataErrorOf([&] { loadImageFolder(d, Split::Test, {16, 16}, false, train.classes); });
        QVERIFY2(msg.contains(QStringLiteral("y.png")) && msg.contains(QStringLiteral("20x12")), qPrintable(msg));
    }

    void imageFolderBadInput()
    {
        const auto d = dir("folder-bad");
        writePng(d / "train" / "a" / "1.png", 8, 8, 1, 0);
        fs::create_directories(d / "train" / "b");
        QString msg = dataErrorOf([&] { loadImageFolder(d, Split::Train, {0, 0}, true); });
        QVERIFY2(msg.contains(QStringLiteral("empty class folder")) && msg.contains(QStringLiteral("/b")),
                 qPrintable(msg));
        writeBytes(d / "train" / "b" / "broken.png", {1, 2, 3, 4, 5});
        msg = dataErrorOf([&] { loadImageFolder(d, Split::Train, {0, 0}, true); });
        QVERIFY2(msg.contains(QStringLiteral("broken.png")) && msg.contains(QStringLiteral("unreadable")),
                 qPrintable(msg));
        msg = dataErrorOf([&] { loadImageFolder(d, Split::Test, {0, 0}, true); });
        QVERIFY2(msg.contains(QStringLiteral("test")), qPrintable(msg));
    }

    void bundledSubsetAndSplits()
    {
        DataConfig cfg; // MNIST, no folder: the bundled subset (no full copy in this test's data home)
        QVERIFY(resolveDataDir(cfg).string().find("mnist-subset") != std::string::npos);
        cfg.validationFraction = 0.1;
        cfg.limitTest = 500;
        auto s = loadData(cfg);
        QCOMPARE(s.train->size() + s.validation->size(), int64_t(4000));
        QCOMPARE(s.validation->size(), int64_t(400));
        QCOMPARE(s.test->size(), int64_t(500));
        QCOMPARE(s.config.mean, std::vector<double>{0.1307});
        const auto info = s.info();
        QCOMPARE(int(info.classes.size()), 10);
        int64_t sum = 0;
        for (auto c : info.trainClassCounts) {
            QVERIFY(c > 250); // every digit is present
            sum += c;
        }
        QCOMPARE(sum, int64_t(3600));
        // the cache returns the same decoded tensors
        auto again = loadData(DataConfig{});
        QCOMPARE(again.test->images.data_ptr(), loadData(DataConfig{}).test->images.data_ptr());
    }

    void batches()
    {
        auto s = loadData(DataConfig{});
        BatchLoader::Options o;
        o.batchSize = 128;
        o.shuffle = true;
        o.seed = 5;
        BatchLoader a(s.train, {0.1307}, {0.3081}, o), b(s.train, {0.1307}, {0.3081}, o);
        QCOMPARE(a.batchesPerEpoch(), int64_t(32)); // 4000 / 128, last one partial
        Batch x, y;
        a.startEpoch(3);
        b.startEpoch(3);
        QVERIFY(a.next(x) && b.next(y));
        QVERIFY(torch::equal(x.labels, y.labels)); // same seed and epoch: same order
        b.startEpoch(4);
        QVERIFY(b.next(y));
        QVERIFY(!torch::equal(x.labels, y.labels));
        // normalisation: a zero pixel maps to -mean/std
        QVERIFY(std::abs(x.images.min().item<double>() - (-0.1307 / 0.3081)) < 1e-5);
        QVERIFY(std::abs(x.images.max().item<double>() - ((1 - 0.1307) / 0.3081)) < 1e-4);
        int64_t total = x.labels.size(0), n = 1;
        while (a.next(x)) {
            total += x.labels.size(0);
            ++n;
        }
        QCOMPARE(total, int64_t(4000));
        QCOMPARE(n, int64_t(32));
        // augmentation keeps shapes and changes pixels; channels-last is honoured
        o.augment = true;
        o.channelsLast = true;
        o.shuffle = false;
        BatchLoader aug(s.train, {0.1307}, {0.3081}, o);
        o.augment = false;
        BatchLoader plain(s.train, {0.1307}, {0.3081}, o);
        QVERIFY(aug.next(x) && plain.next(y));
        QCOMPARE(x.images.sizes(), y.images.sizes());
        QVERIFY(x.images.is_contiguous(at::MemoryFormat::ChannelsLast));
        QVERIFY(!torch::equal(x.images, y.images));
        QVERIFY(torch::equal(x.labels, y.labels));
    }

    // The full MNIST in ../shared/data/mnist (always there on development and CI machines; see
    // ../shared/data/README.md). Every expected number was read from the gzip'd IDX files with a few
    // lines of Python (gzip + struct, no project code): the official counts, the first labels, and the
    // pixel sums whose training mean, 1567298545 / 47040000 / 255 = 0.1307, is the study's normalisation.
    void sharedMnist_data()
    {
        QTest::addColumn<bool>("train");
        QTest::addColumn<qint64>("size");
        QTest::addColumn<QList<qint64>>("counts");
        QTest::addColumn<QList<qint64>>("firstLabels");
        QTest::addColumn<qint64>("pixelSum");
        QTest::addColumn<qint64>("nonZeroPixels");
        QTest::addColumn<qint64>("firstImageSum");
        QTest::newRow("train") << true << qint64(60000)
                               << QList<qint64>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
                               << QList<qint64>{5, 0, 4, 1, 9, 2, 1, 3, 1, 4} << qint64(1567298545) << qint64(8994156)
                               << qint64(27525);
        QTest::newRow("test") << false << qint64(10000)
                              << QList<qint64>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}
                              << QList<qint64>{7, 2, 1, 0, 4, 1, 4, 9, 5, 9} << qint64(264923200) << qint64(1511219)
                              << qint64(18454);
    }
    void sharedMnist()
    {
        QFETCH(bool, train);
        QFETCH(qint64, size);
        QFETCH(QList<qint64>, counts);
        QFETCH(QList<qint64>, firstLabels);
        QFETCH(qint64, pixelSum);
        QFETCH(qint64, nonZeroPixels);
        QFETCH(qint64, firstImageSum);
        const fs::path d = fs::path(PHINET_TEST_DATA_DIR) / "mnist";
        if (!fs::is_directory(d))
            QSKIP(qPrintable(QStringLiteral("%1 is absent: the full-MNIST check needs ../shared/data (see its README)")
                                 .arg(QString::fromStdString(d.string()))));

        const auto ds = loadIdxFolder(d, train ? Split::Train : Split::Test);
        QCOMPARE(ds.size(), size);
        QCOMPARE(ds.images.sizes().vec(), (std::vector<int64_t>{size, 1, 28, 28}));
        QCOMPARE(ds.images.scalar_type(), torch::kByte);
        QCOMPARE(ds.labels.sizes().vec(), std::vector<int64_t>{size});
        const auto histogram = torch::bincount(ds.labels, /*weights=*/{}, /*minlength=*/10);
        QCOMPARE(histogram.size(0), int64_t(10)); // no label outside 0..9
        int64_t histogramSum = 0;
        for (int c = 0; c < 10; ++c) {
            QCOMPARE(histogram[c].item<int64_t>(), counts[c]);
            histogramSum += histogram[c].item<int64_t>();
        }
        QCOMPARE(histogramSum, size);
        for (int i = 0; i < firstLabels.size(); ++i)
            QCOMPARE(ds.labels[i].item<int64_t>(), firstLabels[i]);
        QCOMPARE(ds.images.sum(torch::kLong).item<int64_t>(), pixelSum);
        QCOMPARE(ds.images.ne(0).sum().item<int64_t>(), nonZeroPixels);
        QCOMPARE(ds.images[0].sum(torch::kLong).item<int64_t>(), firstImageSum);
        QCOMPARE(ds.images.max().item<int>(), 255);

        // loadData reads that folder itself, not the bundled 4,000-image subset
        DataConfig cfg;
        cfg.dataDir = d.string();
        QCOMPARE(resolveDataDir(cfg), d);
        const auto splits = loadData(cfg);
        QCOMPARE((train ? splits.train : splits.test)->size(), size);
    }
};

QTEST_GUILESS_MAIN(TestData)
#include "tst_data.moc"
