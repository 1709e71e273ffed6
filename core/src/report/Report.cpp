#include "phinet/report/Report.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"

#include <algorithm>

namespace phinet {
namespace fs = std::filesystem;

std::vector<std::size_t> paretoCandidates(const std::vector<ModelResult>& rows)
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].accuracyPct && rows[i].cpuLatency && rows[i].cpuLatency->available) out.push_back(i);
    return out;
}

std::vector<std::size_t> paretoFront(const std::vector<ModelResult>& rows)
{
    auto order = paretoCandidates(rows);
    auto lat = [&](std::size_t i) { return rows[i].cpuLatency->median; };
    auto acc = [&](std::size_t i) { return *rows[i].accuracyPct; };
    // fastest first, the more accurate first among equally fast: each row then only has to beat the
    // best accuracy seen so far
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return lat(a) < lat(b) || (lat(a) == lat(b) && acc(a) > acc(b));
    });
    std::vector<std::size_t> front;
    for (auto i : order)
        if (front.empty() || acc(i) > acc(front.back())) front.push_back(i);
    return front;
}

std::string epochsCsv(const EpochLog& epochs)
{
    std::string out =
        "model,epoch,train_loss,train_accuracy_pct,test_loss,test_accuracy_pct,epoch_s,images_per_s,lr\r\n";
    for (const auto& [model, e] : epochs) {
        out += csvField(model) + "," + std::to_string(e.epoch) + "," + std::to_string(e.trainLoss) + "," +
               std::to_string(e.trainAccuracy) + "," + (e.test ? std::to_string(e.test->loss) : "") + "," +
               (e.test ? std::to_string(e.test->accuracy) : "") + "," + std::to_string(e.epochSeconds) + "," +
               std::to_string(e.imagesPerSecond) + "," + std::to_string(e.lr) + "\r\n";
    }
    return out;
}

std::vector<fs::path> writeRunFolder(const fs::path& dir, const std::vector<ModelResult>& rows, const EpochLog& epochs,
                                     const nlohmann::json& config, const nlohmann::json& manifest)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw Error(dir.string() + ": cannot create the folder" + (ec ? " (" + ec.message() + ")" : ""));
    std::vector<fs::path> written;
    writeFileAtomic(dir / "results.csv", toCsv(rows));
    written.push_back(dir / "results.csv");
    nlohmann::json jrows = nlohmann::json::array();
    for (const auto& r : rows)
        jrows.push_back(toJson(r));
    writeJsonFile(dir / "results.json", nlohmann::json{{"manifest", manifest}, {"results", jrows}});
    written.push_back(dir / "results.json");
    if (!epochs.empty()) {
        writeFileAtomic(dir / "epochs.csv", epochsCsv(epochs));
        written.push_back(dir / "epochs.csv");
    }
    if (!config.is_null()) {
        writeJsonFile(dir / "config.json", config);
        written.push_back(dir / "config.json");
    }
    return written;
}

} // namespace phinet
