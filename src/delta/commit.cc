#include "delta/commit.h"

#include <algorithm>
#include <utility>

#include "delta/actions.h"
#include "delta/log_replay.h"

namespace pareto::delta {

using nlohmann::json;

namespace {

// What the winner of a version did, as far as conflict checks care.
struct WinnerSummary {
  std::string operation = "UNKNOWN";
  std::optional<json> metadata;
  bool protocol_changed = false;
  std::optional<int64_t> txn_version;  // of our appId
};

StatusOr<WinnerSummary> Summarize(Env* env, const std::string& root, int64_t version, const std::optional<Txn>& txn) {
  PARETO_ASSIGN_OR_RETURN(std::string content, env->ReadFile(CommitPath(root, version)));
  PARETO_ASSIGN_OR_RETURN(auto actions, ParseCommit(content, CommitFileName(version)));
  WinnerSummary s;
  for (const auto& a : actions) {
    if (a.contains("commitInfo") && a["commitInfo"].is_object()) {
      s.operation = a["commitInfo"].value("operation", s.operation);
    } else if (a.contains("metaData")) {
      s.metadata = a["metaData"];
    } else if (a.contains("protocol")) {
      s.protocol_changed = true;
    } else if (txn && a.contains("txn") && a["txn"].is_object() && a["txn"].value("appId", "") == txn->app_id) {
      s.txn_version = a["txn"].value("version", int64_t{-1});
    }
  }
  return s;
}

bool SameTableShape(const json& a, const json& b) {
  json sa = json::parse(a.value("schemaString", ""), nullptr, false);
  json sb = json::parse(b.value("schemaString", ""), nullptr, false);
  return sa == sb && a.value("partitionColumns", json::array()) == b.value("partitionColumns", json::array());
}

}  // namespace

StatusOr<CommitOutcome> CommitActions(Env* env, const std::string& root, CommitRequest request) {
  const std::string log = LogDir(root);
  PARETO_RETURN_IF_ERROR(env->CreateDirs(log));
  int64_t version = request.read_version + 1;
  for (int attempt = 0; attempt < std::max(1, request.max_attempts); ++attempt) {
    json commit_info = {{"timestamp", env->NowMicros() / 1000},
                        {"operation", request.operation},
                        {"operationParameters", request.operation_parameters},
                        {"readVersion", request.read_version},
                        {"isBlindAppend", request.blind_append},
                        {"engineInfo", std::string(kEngineInfo)},
                        {"operationMetrics", request.operation_metrics}};
    if (request.read_version < 0) commit_info.erase("readVersion");
    std::vector<json> lines;
    lines.push_back(json{{"commitInfo", std::move(commit_info)}});
    if (request.txn) {
      lines.push_back(json{{"txn",
                            {{"appId", request.txn->app_id},
                             {"version", request.txn->version},
                             {"lastUpdated", env->NowMicros() / 1000}}}});
    }
    for (const auto& a : request.actions) lines.push_back(a);

    const std::string temp = log + "/." + NewUuid() + ".json.tmp";
    PARETO_RETURN_IF_ERROR(env->WriteFile(temp, SerializeCommit(lines), /*sync=*/true));
    Status linked = env->LinkNoReplace(temp, CommitPath(root, version));
    if (linked.ok()) {
      // The commit is durable once its name is; the temporary name is only litter now.
      Status synced = env->SyncDir(log);
      env->RemoveFile(temp).IgnoreError();
      PARETO_RETURN_IF_ERROR(synced);
      return CommitOutcome{version, false};
    }
    env->RemoveFile(temp).IgnoreError();
    if (linked.code() != StatusCode::kAlreadyExists) return std::unexpected(linked);

    // Lost the race for `version`: look at every commit that got in before us.
    int64_t next = version;
    while (env->Exists(CommitPath(root, next))) {
      PARETO_ASSIGN_OR_RETURN(WinnerSummary w, Summarize(env, root, next, request.txn));
      if (w.txn_version && request.txn && *w.txn_version >= request.txn->version) {
        int64_t latest = next;
        while (env->Exists(CommitPath(root, latest + 1))) ++latest;
        return CommitOutcome{latest, true};
      }
      auto conflict = [&](const std::string& why) {
        return std::unexpected(Conflict("table " + root + " changed concurrently (version " + std::to_string(next) +
                                        " committed by " + w.operation + ")" + why + "; re-run"));
      };
      if (!request.blind_append) return conflict("");
      if (w.protocol_changed && request.read_version >= 0) return conflict(": protocol changed");
      if (w.metadata) {
        // Our own metaData/protocol (a create that lost) is dropped when the winner
        // created the same shape of table; any other schema change is a conflict.
        std::optional<json> ours;
        for (const auto& a : request.actions) {
          if (a.contains("metaData")) ours = a["metaData"];
        }
        if (!ours || !SameTableShape(*ours, *w.metadata)) return conflict(": schema changed");
        std::erase_if(request.actions, [](const json& a) { return a.contains("metaData") || a.contains("protocol"); });
        if (request.operation == "CREATE TABLE AS SELECT") request.operation = "WRITE";
      }
      ++next;
    }
    request.read_version = next - 1;
    version = next;
  }
  return std::unexpected(Conflict("table " + root + ": gave up committing after " +
                                  std::to_string(request.max_attempts) + " attempts; re-run"));
}

}  // namespace pareto::delta
