// The `phinet` command line as a user runs it: JSON output, table output, exit codes, messages.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest/QtTest>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run phinet(const QStringList& args, int timeoutMs = 120000)
{
    QProcess p;
    p.start(QStringLiteral(PHINET_CLI_PATH), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

QJsonObject lastJsonLine(const QByteArray& out)
{
    const auto lines = out.trimmed().split('\n');
    return QJsonDocument::fromJson(lines.last()).object();
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void versionAndHelp()
    {
        auto r = phinet({QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("phinet "));
        QVERIFY(r.out.endsWith('\n'));
        r = phinet({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("model"));
        r = phinet({QStringLiteral("model"), QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--alpha"));
        QVERIFY(r.out.contains("--variant"));
    }

    void modelJson_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<qint64>("params");
        QTest::addColumn<qint64>("macs");
        const QStringList big{"--input", "3,224,224", "--alpha", "3", "--beta", "0.75", "--t0", "6", "--layers", "7"};
        QTest::newRow("A original") << (big + QStringList{"--variant", "original"}) << 4394545LL << 1520210158LL;
        QTest::newRow("B modified") << (big + QStringList{"--variant", "modified", "--divisor", "8"}) << 4406997LL << 1521181866LL;
        QTest::newRow("early") << (big + QStringList{"--variant", "modified-early"}) << 4402741LL << 1521177610LL;
        QTest::newRow("small") << QStringList{"--input", "3,224,224", "--alpha", "2.3", "--beta", "0.75", "--t0", "5",
                                              "--variant", "original"}
                               << 2014585LL << 763280698LL;
        QTest::newRow("E mnist") << QStringList{"--input", "1,28,28", "--alpha", "3", "--beta", "0.75", "--t0", "6",
                                                "--variant", "modified"}
                                 << 4406691LL << 28308414LL;
    }
    void modelJson()
    {
        QFETCH(QStringList, args);
        QFETCH(qint64, params);
        QFETCH(qint64, macs);
        auto r = phinet(QStringList{QStringLiteral("model"), QStringLiteral("--json")} + args);
        QCOMPARE(r.exitCode, 0);
        const auto o = lastJsonLine(r.out);
        QCOMPARE(o.value(QStringLiteral("params")).toInteger(), params);
        QCOMPARE(o.value(QStringLiteral("macs")).toInteger(), macs);
        const auto layers = o.value(QStringLiteral("layers")).toArray();
        QCOMPARE(layers.size(), 10);
        qint64 sum = 0;
        for (const auto& l : layers) sum += l.toObject().value(QStringLiteral("params")).toInteger();
        QCOMPARE(sum, params);
        for (const char* key : {"flash_bytes_fp32", "flash_bytes_int8", "peak_ram_bytes_fp32", "peak_ram_bytes_int8"})
            QVERIFY2(o.value(QLatin1String(key)).toInteger() > 0, key);
        QCOMPARE(o.value(QStringLiteral("peak_ram_bytes_fp32")).toInteger(), 4 * o.value(QStringLiteral("peak_ram_bytes_int8")).toInteger());
    }

    void modelTable()
    {
        auto r = phinet({QStringLiteral("model"), QStringLiteral("--input"), QStringLiteral("1,28,28"),
                         QStringLiteral("--variant"), QStringLiteral("original")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("block7"));
        QVERIFY(r.out.contains("4,394,239"));
        QVERIFY(r.out.contains("28,276,819"));
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("names");
        QTest::newRow("alpha 0") << QStringList{"model", "--alpha", "0"} << "--alpha";
        QTest::newRow("alpha text") << QStringList{"model", "--alpha", "wide"} << "--alpha";
        QTest::newRow("input") << QStringList{"model", "--input", "3,32"} << "--input";
        QTest::newRow("input small") << QStringList{"model", "--input", "3,4,4"} << "--input";
        QTest::newRow("layers") << QStringList{"model", "--layers", "0"} << "--layers";
        QTest::newRow("classes") << QStringList{"model", "--classes", "1"} << "--classes";
        QTest::newRow("variant") << QStringList{"model", "--variant", "fast"} << "--variant";
        QTest::newRow("downsampling") << QStringList{"model", "--downsampling", "3"} << "--downsampling";
        QTest::newRow("unknown") << QStringList{"model", "--bogus"} << "--bogus";
        QTest::newRow("no subcommand") << QStringList{} << "subcommand";
    }
    void badArguments()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, names);
        auto r = phinet(args);
        QCOMPARE(r.exitCode, 2);
        const QString err = QString::fromUtf8(r.err).trimmed();
        QVERIFY2(err.contains(names), qPrintable(err));
        QCOMPARE(err.count(QLatin1Char('\n')), 0); // one line
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
