#include "delta/validate.h"

#include "delta/actions.h"
#include "delta/log_replay.h"

namespace pareto::delta {

using nlohmann::json;

namespace {

Status CheckCommit(const std::vector<json>& actions, int64_t version) {
  const std::string where = "commit " + std::to_string(version);
  bool commit_info = false, protocol = false, metadata = false;
  for (const auto& a : actions) {
    if (a.size() != 1) return DataError(where + ": a line holds " + std::to_string(a.size()) + " actions, not one");
    if (a.contains("commitInfo")) commit_info = true;
    if (a.contains("protocol")) protocol = true;
    if (a.contains("metaData")) metadata = true;
    if (a.contains("add")) {
      const json& add = a["add"];
      for (const char* key : {"path", "size", "modificationTime", "dataChange", "stats"}) {
        if (!add.contains(key)) return DataError(where + ": add " + add.value("path", "?") + " has no " + key);
      }
    }
    if (a.contains("remove") && !a["remove"].contains("deletionTimestamp")) {
      return DataError(where + ": remove has no deletionTimestamp");
    }
  }
  if (!commit_info) return DataError(where + ": no commitInfo");
  if (version == 0 && (!protocol || !metadata)) return DataError(where + ": version 0 lacks protocol or metaData");
  return OkStatus();
}

}  // namespace

Status ValidateLog(const std::string& root, Env* env) {
  try {
    PARETO_ASSIGN_OR_RETURN(LogListing listing, ListLog(env, root));
    if (listing.commits.empty()) return DataError(root + ": the log holds no JSON commit");
    int64_t first = listing.commits.begin()->first;
    if (first > 0) {
      // Older commits may be gone only when a checkpoint covers them.
      if (!listing.checkpoints.contains(first - 1)) {
        return DataError(root + ": commits start at " + std::to_string(first) + " with no checkpoint before them");
      }
    }
    int64_t expected = first;
    for (const auto& [version, name] : listing.commits) {
      if (version != expected) {
        return DataError(root + ": non-contiguous versions: " + CommitFileName(expected) + " is missing");
      }
      ++expected;
      PARETO_ASSIGN_OR_RETURN(std::string content, env->ReadFile(LogDir(root) + "/" + name));
      PARETO_ASSIGN_OR_RETURN(auto actions, ParseCommit(content, name));
      PARETO_RETURN_IF_ERROR(CheckCommit(actions, version).WithContext(root));
    }
    PARETO_ASSIGN_OR_RETURN(TableState state, Replay(env, root, listing, listing.LatestVersion()));
    PARETO_RETURN_IF_ERROR(CheckReadable(state).WithContext(root));
    for (const auto& [path, f] : state.files) {
      if (!env->Exists(ResolveDataPath(root, path))) {
        return DataError(root + ": live file " + path + " of version " + std::to_string(state.version) + " is missing");
      }
    }
    return OkStatus();
  } catch (const json::exception& e) {
    return DataError(root + ": malformed log: " + e.what());
  }
}

}  // namespace pareto::delta
