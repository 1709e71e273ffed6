#include "phinet/report/RunStore.h"

#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"

#include <sqlite3.h>

#include <ctime>
#include <set>

namespace phinet {
namespace fs = std::filesystem;
using nlohmann::json;

struct RunStore::Impl {
    sqlite3* db = nullptr;
    fs::path path;

    void exec(const std::string& sql)
    {
        char* err = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string m = err ? err : "unknown error";
            sqlite3_free(err);
            throw DataError(path.string() + ": database error: " + m);
        }
    }

    /// A prepared statement with bind helpers.
    struct Stmt {
        Impl& o;
        sqlite3_stmt* s = nullptr;
        int idx = 0;
        Stmt(Impl& owner, const std::string& sql) : o(owner)
        {
            if (sqlite3_prepare_v2(o.db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
                throw DataError(o.path.string() + ": database error: " + sqlite3_errmsg(o.db));
        }
        ~Stmt() { sqlite3_finalize(s); }
        Stmt& bind(std::int64_t v)
        {
            sqlite3_bind_int64(s, ++idx, v);
            return *this;
        }
        Stmt& bind(const std::string& v)
        {
            sqlite3_bind_text(s, ++idx, v.c_str(), -1, SQLITE_TRANSIENT);
            return *this;
        }
        Stmt& bind(double v)
        {
            sqlite3_bind_double(s, ++idx, v);
            return *this;
        }
        bool step()
        {
            const int rc = sqlite3_step(s);
            if (rc == SQLITE_ROW) return true;
            if (rc == SQLITE_DONE) return false;
            throw DataError(o.path.string() + ": database error: " + sqlite3_errmsg(o.db));
        }
        std::int64_t i64(int c) { return sqlite3_column_int64(s, c); }
        double dbl(int c) { return sqlite3_column_double(s, c); }
        std::string text(int c)
        {
            auto* t = sqlite3_column_text(s, c);
            return t ? reinterpret_cast<const char*>(t) : "";
        }
    };

    /// A JSON column: bounded like every JSON the workbench reads; errors name the database and run.
    nlohmann::json parseColumn(const std::string& text, std::int64_t run, const char* what)
    {
        return parseJsonBounded(text, path.string() + ": run " + std::to_string(run) + " " + what);
    }

    /// The "running" rows whose folder no lock holds: their process is gone (see RunStore.h). They
    /// are marked "interrupted"; if the database cannot be written (full disk, read-only), callers
    /// still report them so.
    std::set<std::int64_t> markInterrupted()
    {
        std::set<std::int64_t> dead;
        {
            Stmt s(*this, "SELECT id, out_dir FROM runs WHERE status='running'");
            while (s.step())
                if (!FolderLock::isHeld(s.text(1))) dead.insert(s.i64(0));
        }
        if (dead.empty()) return dead;
        try {
            transaction([&] {
                for (auto id : dead) {
                    // status re-checked: the run may have finished between the SELECT and now
                    Stmt u(*this, "UPDATE runs SET status='interrupted' WHERE id=? AND status='running'");
                    u.bind(id).step();
                }
            });
        } catch (const DataError& e) {
            logger()->warn("interrupted runs not marked: {}", e.what());
        }
        return dead;
    }

    /// Runs `f` inside one transaction (rolled back if it throws).
    template <typename F> void transaction(F&& f)
    {
        exec("BEGIN IMMEDIATE");
        try {
            f();
            exec("COMMIT");
        } catch (...) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
};

fs::path RunStore::defaultPath()
{
    return userDataDir() / "runs.sqlite";
}

RunStore::RunStore(const fs::path& path) : d(std::make_unique<Impl>())
{
    d->path = path;
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    if (sqlite3_open(path.c_str(), &d->db) != SQLITE_OK) {
        std::string m = d->db ? sqlite3_errmsg(d->db) : "cannot open";
        sqlite3_close(d->db);
        d->db = nullptr;
        throw DataError(path.string() + ": cannot open the run database (" + m + ")");
    }
    sqlite3_busy_timeout(d->db, 5000);
    d->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
    d->exec(R"(CREATE TABLE IF NOT EXISTS runs(
                 id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, name TEXT NOT NULL,
                 status TEXT NOT NULL, created TEXT NOT NULL, out_dir TEXT, config TEXT, manifest TEXT,
                 message TEXT);
               CREATE TABLE IF NOT EXISTS epochs(
                 run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, model TEXT NOT NULL,
                 epoch INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY(run_id, model, epoch));
               CREATE TABLE IF NOT EXISTS results(
                 run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, point INTEGER NOT NULL,
                 seq INTEGER NOT NULL, model TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY(run_id, point, seq));)");
    // databases from before the failure message
    bool hasMessage = false;
    {
        Impl::Stmt s(*d, "SELECT name FROM pragma_table_info('runs')");
        while (s.step())
            if (s.text(0) == "message") hasMessage = true;
    }
    if (!hasMessage) d->exec("ALTER TABLE runs ADD COLUMN message TEXT");
}

RunStore::~RunStore()
{
    if (d && d->db) sqlite3_close(d->db);
}

std::int64_t RunStore::createRun(const std::string& kind, const std::string& name, const json& config,
                                 const json& manifest, const std::string& outDir)
{
    char date[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    std::int64_t id = 0;
    d->transaction([&] {
        Impl::Stmt s(*d,
                     "INSERT INTO runs(kind, name, status, created, out_dir, config, manifest) VALUES(?,?,?,?,?,?,?)");
        s.bind(kind)
            .bind(name)
            .bind(std::string("running"))
            .bind(std::string(date))
            .bind(outDir)
            .bind(config.dump())
            .bind(manifest.dump());
        s.step();
        id = sqlite3_last_insert_rowid(d->db);
    });
    return id;
}

void RunStore::setStatus(std::int64_t run, const std::string& status, const std::string& message)
{
    d->transaction([&] {
        Impl::Stmt s(*d, "UPDATE runs SET status=?, message=? WHERE id=?");
        s.bind(status).bind(message).bind(run).step();
    });
}

bool RunStore::exists(std::int64_t run)
{
    Impl::Stmt s(*d, "SELECT 1 FROM runs WHERE id=?");
    s.bind(run);
    return s.step();
}

void RunStore::addEpoch(std::int64_t run, const std::string& model, const EpochSummary& e)
{
    d->transaction([&] {
        Impl::Stmt s(*d, "INSERT OR REPLACE INTO epochs(run_id, model, epoch, data) VALUES(?,?,?,?)");
        s.bind(run).bind(model).bind(std::int64_t(e.epoch)).bind(toJson(e).dump()).step();
    });
}

void RunStore::putResult(std::int64_t run, const ModelResult& r)
{
    d->transaction([&] {
        // A study's models are point 0; seq keeps the pipeline's order and a re-run replaces the row.
        std::int64_t seq = -1;
        {
            Impl::Stmt f(*d, "SELECT seq FROM results WHERE run_id=? AND point=0 AND model=?");
            f.bind(run).bind(r.model);
            if (f.step()) seq = f.i64(0);
        }
        if (seq < 0) {
            Impl::Stmt n(*d, "SELECT COALESCE(MAX(seq), -1) + 1 FROM results WHERE run_id=? AND point=0");
            n.bind(run);
            n.step();
            seq = n.i64(0);
        }
        Impl::Stmt s(*d, "INSERT OR REPLACE INTO results(run_id, point, seq, model, data) VALUES(?,0,?,?,?)");
        s.bind(run).bind(seq).bind(r.model).bind(toJson(r).dump()).step();
    });
}

void RunStore::putSweepPoint(std::int64_t run, int index, const std::vector<ModelResult>& rows)
{
    d->transaction([&] {
        Impl::Stmt del(*d, "DELETE FROM results WHERE run_id=? AND point=?");
        del.bind(run).bind(std::int64_t(index)).step();
        for (size_t i = 0; i < rows.size(); ++i) {
            Impl::Stmt s(*d, "INSERT INTO results(run_id, point, seq, model, data) VALUES(?,?,?,?,?)");
            s.bind(run)
                .bind(std::int64_t(index))
                .bind(std::int64_t(i))
                .bind(rows[i].model)
                .bind(toJson(rows[i]).dump())
                .step();
        }
    });
}

std::vector<int> RunStore::sweepPoints(std::int64_t run)
{
    std::vector<int> out;
    Impl::Stmt s(*d, "SELECT DISTINCT point FROM results WHERE run_id=? ORDER BY point");
    s.bind(run);
    while (s.step())
        out.push_back(int(s.i64(0)));
    return out;
}

std::vector<RunInfo> RunStore::list()
{
    const auto dead = d->markInterrupted();
    std::vector<RunInfo> out;
    Impl::Stmt s(*d, "SELECT r.id, r.kind, r.name, r.status, r.created, r.out_dir, "
                     "(SELECT COUNT(*) FROM results x WHERE x.run_id=r.id), r.message FROM runs r ORDER BY r.id");
    while (s.step()) {
        RunInfo i{s.i64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), int(s.i64(6)), s.text(7)};
        if (dead.count(i.id) && i.status == "running") i.status = "interrupted";
        out.push_back(std::move(i));
    }
    return out;
}

RunDetails RunStore::show(std::int64_t run)
{
    const auto dead = d->markInterrupted();
    RunDetails r;
    std::string config, manifest;
    {
        Impl::Stmt s(*d,
                     "SELECT id, kind, name, status, created, out_dir, config, manifest, message FROM runs WHERE id=?");
        s.bind(run);
        if (!s.step()) throw ConfigError("run " + std::to_string(run) + " does not exist (see phinet runs list)");
        r.info = {s.i64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), 0, s.text(8)};
        if (dead.count(run) && r.info.status == "running") r.info.status = "interrupted";
        config = s.text(6);
        manifest = s.text(7);
    }
    // A damaged config or manifest leaves them empty; the results are still shown.
    try {
        r.config = d->parseColumn(config, run, "config");
        r.manifest = d->parseColumn(manifest, run, "manifest");
    } catch (const ConfigError& e) {
        logger()->warn("{}", e.what());
    }
    try {
        {
            Impl::Stmt s(*d, "SELECT data FROM results WHERE run_id=? ORDER BY point, seq");
            s.bind(run);
            while (s.step())
                r.results.push_back(modelResultFromJson(d->parseColumn(s.text(0), run, "result")));
            r.info.resultCount = int(r.results.size());
        }
        {
            Impl::Stmt s(*d, "SELECT model, data FROM epochs WHERE run_id=? ORDER BY model, epoch");
            s.bind(run);
            while (s.step())
                r.epochs.push_back({s.text(0), epochSummaryFromJson(d->parseColumn(s.text(1), run, "epoch"))});
        }
    } catch (const nlohmann::json::exception& e) {
        throw DataError(d->path.string() + ": run " + std::to_string(run) + " holds a damaged row (" + e.what() + ")");
    }
    return r;
}

void RunStore::remove(std::int64_t run)
{
    d->markInterrupted();
    d->transaction([&] {
        std::string status, outDir;
        {
            Impl::Stmt s(*d, "SELECT status, out_dir FROM runs WHERE id=?");
            s.bind(run);
            if (!s.step()) throw ConfigError("run " + std::to_string(run) + " does not exist (see phinet runs list)");
            status = s.text(0);
            outDir = s.text(1);
        }
        // Its process would go on adding epochs and results to a run that no longer exists.
        if (status == "running" && FolderLock::isHeld(outDir))
            throw ConfigError("run " + std::to_string(run) + " is still running (its folder " + outDir +
                              " is in use); cancel it or let it finish, then delete it");
        // Children first: databases made before ON DELETE CASCADE, or opened without foreign keys, keep no orphans.
        for (const char* sql : {"DELETE FROM epochs WHERE run_id=?", "DELETE FROM results WHERE run_id=?",
                                "DELETE FROM runs WHERE id=?"}) {
            Impl::Stmt s(*d, sql);
            s.bind(run).step();
        }
    });
}

} // namespace phinet
