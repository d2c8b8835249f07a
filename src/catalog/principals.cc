#include "catalog/principals.h"

#include <cctype>
#include <map>

#include "catalog/metastore_internal.h"

namespace pareto::catalog {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// group -> its direct members, and name -> (kind, admin), in one read.
struct Directory {
  std::map<std::string, Principal> principals;
  std::multimap<std::string, std::string> member_of;  // member -> group
};

StatusOr<Directory> ReadDirectory(Metastore& ms) {
  sqlite::Db& db = MetastoreAccess::Db(ms);
  Directory dir;
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement p, db.Prepare("SELECT name, kind, is_admin FROM principals ORDER BY name"));
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, p.Step());
    if (!row) break;
    Principal pr{.name = p.ColumnText(0),
                 .kind = p.ColumnText(1) == "group" ? PrincipalKind::kGroup : PrincipalKind::kUser,
                 .is_admin = p.ColumnInt64(2) != 0};
    dir.principals.emplace(pr.name, std::move(pr));
  }
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement m, db.Prepare("SELECT group_name, member FROM group_members"));
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, m.Step());
    if (!row) break;
    dir.member_of.emplace(m.ColumnText(1), m.ColumnText(0));
  }
  return dir;
}

// Every group `name` is in, following groups of groups.
std::set<std::string> GroupsOf(const Directory& dir, const std::string& name) {
  std::set<std::string> out;
  std::vector<std::string> todo{name};
  while (!todo.empty()) {
    std::string next = std::move(todo.back());
    todo.pop_back();
    auto [b, e] = dir.member_of.equal_range(next);
    for (auto it = b; it != e; ++it) {
      if (out.insert(it->second).second) todo.push_back(it->second);
    }
  }
  return out;
}

}  // namespace

bool ValidPrincipalName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != '@') return false;
  }
  return true;
}

Status BumpGovernanceEpoch(Metastore& ms) {
  return MetastoreAccess::Db(ms).Exec("UPDATE governance_epoch SET epoch = epoch + 1 WHERE id = 1");
}

StatusOr<int64_t> GovernanceEpoch(Metastore& ms) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement s,
                          MetastoreAccess::Db(ms).Prepare("SELECT epoch FROM governance_epoch WHERE id = 1"));
  PARETO_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.ColumnInt64(0) : 0;
}

Status AddPrincipal(Metastore& ms, std::string_view name_in, PrincipalKind kind) {
  const std::string name = Lower(name_in);
  if (!ValidPrincipalName(name)) {
    return InvalidArgument("principal name \"" + std::string(name_in) +
                           "\" must be 1 to 64 letters, digits, '-', '_', '.' or '@'");
  }
  sqlite::Db& db = MetastoreAccess::Db(ms);
  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db));
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement s,
                          db.Prepare("INSERT INTO principals(name, kind, is_admin, created_ms) VALUES (?, ?, 0, ?)"));
  PARETO_RETURN_IF_ERROR(s.Bind(1, name));
  PARETO_RETURN_IF_ERROR(s.Bind(2, kind == PrincipalKind::kGroup ? "group" : "user"));
  PARETO_RETURN_IF_ERROR(s.Bind(3, ms.NowMs()));
  Status inserted = s.Run();
  if (inserted.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a user or group named \"" + name + "\" exists (pareto user list)");
  }
  PARETO_RETURN_IF_ERROR(inserted);
  PARETO_RETURN_IF_ERROR(BumpGovernanceEpoch(ms));
  return txn.Commit();
}

Status AddGroupMember(Metastore& ms, std::string_view group_in, std::string_view member_in) {
  const std::string group = Lower(group_in), member = Lower(member_in);
  sqlite::Db& db = MetastoreAccess::Db(ms);
  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db));
  PARETO_ASSIGN_OR_RETURN(Directory dir, ReadDirectory(ms));
  auto g = dir.principals.find(group);
  if (g == dir.principals.end()) return NotFound("no group named \"" + group + "\" (pareto group add " + group + ")");
  if (g->second.kind != PrincipalKind::kGroup) return InvalidArgument("\"" + group + "\" is a user, not a group");
  if (!dir.principals.contains(member)) return NotFound("no user or group named \"" + member + "\"");
  if (member == group || GroupsOf(dir, group).contains(member)) {
    return InvalidArgument("adding \"" + member + "\" to \"" + group + "\" would make a group contain itself");
  }
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement s,
                          db.Prepare("INSERT OR IGNORE INTO group_members(group_name, member) VALUES (?, ?)"));
  PARETO_RETURN_IF_ERROR(s.Bind(1, group));
  PARETO_RETURN_IF_ERROR(s.Bind(2, member));
  PARETO_RETURN_IF_ERROR(s.Run());
  PARETO_RETURN_IF_ERROR(BumpGovernanceEpoch(ms));
  return txn.Commit();
}

Status RemoveGroupMember(Metastore& ms, std::string_view group, std::string_view member) {
  sqlite::Db& db = MetastoreAccess::Db(ms);
  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db));
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement s,
                          db.Prepare("DELETE FROM group_members WHERE group_name = ? AND member = ?"));
  PARETO_RETURN_IF_ERROR(s.Bind(1, Lower(group)));
  PARETO_RETURN_IF_ERROR(s.Bind(2, Lower(member)));
  PARETO_RETURN_IF_ERROR(s.Run());
  if (db.Changes() == 0) {
    return NotFound("\"" + std::string(member) + "\" is not a member of \"" + std::string(group) + "\"");
  }
  PARETO_RETURN_IF_ERROR(BumpGovernanceEpoch(ms));
  return txn.Commit();
}

StatusOr<Principal> LoadPrincipal(Metastore& ms, std::string_view name_in) {
  const std::string name = Lower(name_in);
  PARETO_ASSIGN_OR_RETURN(Directory dir, ReadDirectory(ms));
  auto it = dir.principals.find(name);
  if (it == dir.principals.end()) {
    return std::unexpected(NotFound("no user or group named \"" + name + "\" (pareto user list)"));
  }
  Principal out = it->second;
  out.groups = GroupsOf(dir, name);
  return out;
}

StatusOr<std::vector<Principal>> ListPrincipals(Metastore& ms) {
  PARETO_ASSIGN_OR_RETURN(Directory dir, ReadDirectory(ms));
  std::vector<Principal> out;
  for (auto& [name, p] : dir.principals) {
    Principal copy = p;
    copy.groups = GroupsOf(dir, name);
    out.push_back(std::move(copy));
  }
  return out;
}

}  // namespace pareto::catalog
