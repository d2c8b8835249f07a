#include "catalog/grants.h"

#include <algorithm>
#include <cctype>

#include "catalog/metastore_internal.h"

namespace pareto::catalog {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view KindName(SecurableKind k) {
  switch (k) {
    case SecurableKind::kCatalog: return "catalog";
    case SecurableKind::kSchema: return "schema";
    case SecurableKind::kTable: return "table";
  }
  return "table";
}

SecurableKind KindFrom(std::string_view s) {
  if (s == "catalog") return SecurableKind::kCatalog;
  if (s == "schema") return SecurableKind::kSchema;
  return SecurableKind::kTable;
}

// The object and every object above it: olist.gold.t -> {olist, olist.gold, olist.gold.t}.
std::vector<Securable> Chain(const Securable& object) {
  std::vector<Securable> out;
  const std::string& n = object.name;
  const size_t dot1 = n.find('.');
  out.push_back({SecurableKind::kCatalog, n.substr(0, dot1)});
  if (object.kind == SecurableKind::kCatalog) return out;
  const size_t dot2 = n.find('.', dot1 + 1);
  out.push_back({SecurableKind::kSchema, n.substr(0, dot2)});
  if (object.kind == SecurableKind::kSchema) return out;
  out.push_back(object);
  return out;
}

bool Fits(Privilege p, SecurableKind k) {
  if (p == Privilege::kUseCatalog) return k == SecurableKind::kCatalog;
  if (p == Privilege::kUseSchema) return k != SecurableKind::kTable;
  return true;
}

Status RequirePrincipal(Metastore& ms, std::string_view name) { return StatusOf(LoadPrincipal(ms, name)); }

}  // namespace

std::string_view PrivilegeName(Privilege p) {
  switch (p) {
    case Privilege::kUseCatalog: return "USE CATALOG";
    case Privilege::kUseSchema: return "USE SCHEMA";
    case Privilege::kSelect: return "SELECT";
    case Privilege::kModify: return "MODIFY";
  }
  return "SELECT";
}

StatusOr<Privilege> ParsePrivilege(std::string_view text) {
  std::string t = Lower(text);
  std::replace(t.begin(), t.end(), '_', ' ');
  for (Privilege p : {Privilege::kUseCatalog, Privilege::kUseSchema, Privilege::kSelect, Privilege::kModify}) {
    if (Lower(PrivilegeName(p)) == t) return p;
  }
  return std::unexpected(
      InvalidArgument("unknown privilege \"" + std::string(text) + "\"; use USE CATALOG, USE SCHEMA, SELECT or MODIFY"));
}

std::string Securable::ToString() const {
  std::string k(KindName(kind));
  for (char& c : k) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return k + " " + name;
}

StatusOr<Securable> ParseSecurable(std::string_view kind_text, std::string_view name_text) {
  const std::string kind = Lower(kind_text);
  const std::string name = Lower(name_text);
  size_t parts = 1;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '.') ++parts;
  }
  const bool empty_part = name.empty() || name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos;
  size_t want = 0;
  SecurableKind k = SecurableKind::kTable;
  if (kind == "catalog") {
    want = 1, k = SecurableKind::kCatalog;
  } else if (kind == "schema") {
    want = 2, k = SecurableKind::kSchema;
  } else if (kind == "table") {
    want = 3, k = SecurableKind::kTable;
  } else {
    return std::unexpected(InvalidArgument("object kind must be CATALOG, SCHEMA or TABLE, not \"" +
                                           std::string(kind_text) + "\""));
  }
  if (parts != want || empty_part) {
    return std::unexpected(InvalidArgument(std::string(kind == "catalog" ? "a catalog is named c"
                                                       : kind == "schema" ? "a schema is named catalog.schema"
                                                                          : "a table is named catalog.schema.table") +
                                           ", not \"" + std::string(name_text) + "\""));
  }
  return Securable{k, name};
}

Status Grant(Metastore& ms, Privilege privilege, const Securable& object, std::string_view principal) {
  if (!Fits(privilege, object.kind)) {
    return InvalidArgument(std::string(PrivilegeName(privilege)) + " cannot be granted on a " +
                           std::string(KindName(object.kind)));
  }
  sqlite::Db& db = MetastoreAccess::Db(ms);
  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db));
  PARETO_RETURN_IF_ERROR(RequirePrincipal(ms, principal));
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement s,
                          db.Prepare("INSERT OR IGNORE INTO grants(principal, privilege, object_kind, object_name, "
                                     "granted_ms) VALUES (?, ?, ?, ?, ?)"));
  PARETO_RETURN_IF_ERROR(s.Bind(1, Lower(principal)));
  PARETO_RETURN_IF_ERROR(s.Bind(2, PrivilegeName(privilege)));
  PARETO_RETURN_IF_ERROR(s.Bind(3, KindName(object.kind)));
  PARETO_RETURN_IF_ERROR(s.Bind(4, object.name));
  PARETO_RETURN_IF_ERROR(s.Bind(5, ms.NowMs()));
  PARETO_RETURN_IF_ERROR(s.Run());
  PARETO_RETURN_IF_ERROR(BumpGovernanceEpoch(ms));
  return txn.Commit();
}

Status Revoke(Metastore& ms, Privilege privilege, const Securable& object, std::string_view principal) {
  sqlite::Db& db = MetastoreAccess::Db(ms);
  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db));
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement s,
                          db.Prepare("DELETE FROM grants WHERE principal = ? AND privilege = ? AND object_kind = ? AND "
                                     "object_name = ?"));
  PARETO_RETURN_IF_ERROR(s.Bind(1, Lower(principal)));
  PARETO_RETURN_IF_ERROR(s.Bind(2, PrivilegeName(privilege)));
  PARETO_RETURN_IF_ERROR(s.Bind(3, KindName(object.kind)));
  PARETO_RETURN_IF_ERROR(s.Bind(4, object.name));
  PARETO_RETURN_IF_ERROR(s.Run());
  if (db.Changes() == 0) {
    return NotFound("no grant of " + std::string(PrivilegeName(privilege)) + " ON " + object.ToString() + " to " +
                    Lower(principal) + " (pareto grants ON " + object.ToString() + ")");
  }
  PARETO_RETURN_IF_ERROR(BumpGovernanceEpoch(ms));
  return txn.Commit();
}

StatusOr<std::vector<GrantRow>> ListGrants(Metastore& ms, const std::optional<Securable>& object,
                                           std::string_view principal) {
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement s,
      MetastoreAccess::Db(ms).Prepare("SELECT principal, privilege, object_kind, object_name FROM grants WHERE "
                                      "(?1 IS NULL OR (object_kind = ?1 AND object_name = ?2)) AND "
                                      "(?3 = '' OR principal = ?3) ORDER BY principal, object_name, privilege"));
  if (object.has_value()) {
    PARETO_RETURN_IF_ERROR(s.Bind(1, KindName(object->kind)));
    PARETO_RETURN_IF_ERROR(s.Bind(2, object->name));
  } else {
    PARETO_RETURN_IF_ERROR(s.BindNull(1));
    PARETO_RETURN_IF_ERROR(s.BindNull(2));
  }
  PARETO_RETURN_IF_ERROR(s.Bind(3, Lower(principal)));
  std::vector<GrantRow> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    PARETO_ASSIGN_OR_RETURN(Privilege p, ParsePrivilege(s.ColumnText(1)));
    out.push_back({s.ColumnText(0), p, {KindFrom(s.ColumnText(2)), s.ColumnText(3)}});
  }
  return out;
}

Status SetOwner(Metastore& ms, const Securable& object, std::string_view owner) {
  sqlite::Db& db = MetastoreAccess::Db(ms);
  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db));
  PARETO_RETURN_IF_ERROR(RequirePrincipal(ms, owner));
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement s,
                          db.Prepare("INSERT INTO owners(object_kind, object_name, owner) VALUES (?, ?, ?) "
                                     "ON CONFLICT(object_kind, object_name) DO UPDATE SET owner = excluded.owner"));
  PARETO_RETURN_IF_ERROR(s.Bind(1, KindName(object.kind)));
  PARETO_RETURN_IF_ERROR(s.Bind(2, object.name));
  PARETO_RETURN_IF_ERROR(s.Bind(3, Lower(owner)));
  PARETO_RETURN_IF_ERROR(s.Run());
  PARETO_RETURN_IF_ERROR(BumpGovernanceEpoch(ms));
  return txn.Commit();
}

StatusOr<std::string> OwnerOf(Metastore& ms, const Securable& object) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement s, MetastoreAccess::Db(ms).Prepare(
                                                   "SELECT owner FROM owners WHERE object_kind = ? AND object_name = ?"));
  PARETO_RETURN_IF_ERROR(s.Bind(1, KindName(object.kind)));
  PARETO_RETURN_IF_ERROR(s.Bind(2, object.name));
  PARETO_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.ColumnText(0) : std::string(kAdminUser);
}

StatusOr<Access> Access::Load(Metastore& ms, std::string_view name) {
  Access a;
  PARETO_ASSIGN_OR_RETURN(a.principal_, LoadPrincipal(ms, name));
  std::set<std::string> holders = a.principal_.groups;
  holders.insert(a.principal_.name);
  sqlite::Db& db = MetastoreAccess::Db(ms);
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement g,
                          db.Prepare("SELECT principal, privilege, object_kind, object_name FROM grants"));
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, g.Step());
    if (!row) break;
    if (!holders.contains(g.ColumnText(0))) continue;
    PARETO_ASSIGN_OR_RETURN(Privilege p, ParsePrivilege(g.ColumnText(1)));
    a.grants_.insert({p, KindFrom(g.ColumnText(2)), g.ColumnText(3)});
  }
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement o, db.Prepare("SELECT object_kind, object_name, owner FROM owners"));
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, o.Step());
    if (!row) break;
    if (holders.contains(o.ColumnText(2))) a.owned_.insert({KindFrom(o.ColumnText(0)), o.ColumnText(1)});
  }
  return a;
}

bool Access::Holds(Privilege privilege, const Securable& object) const {
  for (const Securable& s : Chain(object)) {
    if (owned_.contains(s) || grants_.contains({privilege, s.kind, s.name})) return true;
  }
  return false;
}

Decision Access::Decide(Privilege privilege, const Securable& object_in) const {
  const Securable object{object_in.kind, Lower(object_in.name)};
  if (principal_.is_admin) return {true, ""};
  const std::vector<Securable> chain = Chain(object);
  auto lacks = [&](Privilege p, const Securable& on) {
    return Decision{false, principal_.name + " lacks " + std::string(PrivilegeName(p)) + " on " + on.ToString()};
  };
  if (!Holds(Privilege::kUseCatalog, chain[0])) return lacks(Privilege::kUseCatalog, chain[0]);
  if (privilege == Privilege::kUseCatalog) return {true, ""};
  if (chain.size() > 1 && !Holds(Privilege::kUseSchema, chain[1])) return lacks(Privilege::kUseSchema, chain[1]);
  if (privilege == Privilege::kUseSchema) return {true, ""};
  if (!Holds(privilege, object)) return lacks(privilege, object);
  return {true, ""};
}

StatusOr<Decision> Decide(Metastore& ms, std::string_view principal, Privilege privilege, const Securable& object) {
  PARETO_ASSIGN_OR_RETURN(Access access, Access::Load(ms, principal));
  return access.Decide(privilege, object);
}

}  // namespace pareto::catalog
