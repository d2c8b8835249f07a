// Privileges on the lakehouse's three-level names, as Unity Catalog users know
// them (migration 9: `grants`, `owners`).
//
//   USE CATALOG  on a catalog             — needed to reach anything inside it
//   USE SCHEMA   on a catalog or schema   — needed to reach a schema's tables
//   SELECT       on a catalog, schema or table — read its tables
//   MODIFY       on a catalog, schema or table — write its tables (run, ingest, train, score)
//
// A privilege granted on a catalog or schema holds for everything inside it
// (inherited downward). Every object has one OWNER, who holds every privilege on
// it and below; an object nobody was made owner of belongs to `admin`. An admin
// may do everything. A grant to a group holds for its members (transitively).
//
//   PARETO_RETURN_IF_ERROR(Grant(ms, Privilege::kSelect, *ParseSecurable("SCHEMA", "olist.gold"), "marketing"));
//   PARETO_ASSIGN_OR_RETURN(Decision d, Decide(ms, "mia", Privilege::kSelect,
//                                              {SecurableKind::kTable, "olist.gold.gld_kpis"}));
//   if (!d.allowed) return PermissionDenied(d.reason);
//
// Decide reads the rules afresh on every call: a grant or revoke holds on the
// next decision. Access loads one principal's rules once, for deciding many
// objects (a SQL session deciding each table).
//
// Ownership: free functions over a borrowed Metastore; Access is a value.
// Thread safety: as the Metastore (one per thread).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "catalog/metastore.h"
#include "catalog/principals.h"
#include "common/status.h"

namespace pareto::catalog {

enum class Privilege { kUseCatalog, kUseSchema, kSelect, kModify };
enum class SecurableKind { kCatalog, kSchema, kTable };

// "USE CATALOG", "USE SCHEMA", "SELECT", "MODIFY"
std::string_view PrivilegeName(Privilege p);
// Case-insensitive; "USE_CATALOG" and "USE CATALOG" both work.
StatusOr<Privilege> ParsePrivilege(std::string_view text);

struct Securable {
  SecurableKind kind = SecurableKind::kTable;
  std::string name;  // lower-case: "olist", "olist.gold", "olist.gold.gld_kpis"

  std::string ToString() const;  // "SCHEMA olist.gold"
  auto operator<=>(const Securable&) const = default;
};

// `kind` is CATALOG, SCHEMA or TABLE (any case); `name` must have 1, 2 or 3 parts to match.
StatusOr<Securable> ParseSecurable(std::string_view kind, std::string_view name);

struct GrantRow {
  std::string principal;
  Privilege privilege = Privilege::kSelect;
  Securable object;
};

// Records the grant (granting twice is fine); kNotFound for an unknown
// principal, kInvalidArgument for a privilege the object kind cannot hold
// (USE CATALOG on a schema, USE SCHEMA on a table).
Status Grant(Metastore& ms, Privilege privilege, const Securable& object, std::string_view principal);
// kNotFound when no such grant exists.
Status Revoke(Metastore& ms, Privilege privilege, const Securable& object, std::string_view principal);
// Grants made on `object` itself, or to `principal` itself (empty: any), by principal.
StatusOr<std::vector<GrantRow>> ListGrants(Metastore& ms, const std::optional<Securable>& object,
                                           std::string_view principal = "");

// Makes `owner` the owner of `object`; kNotFound for an unknown principal.
Status SetOwner(Metastore& ms, const Securable& object, std::string_view owner);
// The owner of `object` ("admin" when none was set).
StatusOr<std::string> OwnerOf(Metastore& ms, const Securable& object);

struct Decision {
  bool allowed = false;
  std::string reason;  // why not, in words: "mia lacks USE SCHEMA on olist.silver"
};

// One principal's rules, loaded once.
class Access {
 public:
  static StatusOr<Access> Load(Metastore& ms, std::string_view principal);

  const Principal& principal() const { return principal_; }
  // Whether the principal holds `privilege` on `object`, counting what reaching
  // it needs: SELECT on a table needs USE CATALOG on its catalog and USE SCHEMA
  // on its schema as well.
  Decision Decide(Privilege privilege, const Securable& object) const;

 private:
  // Granted directly or inherited, or owned (the object or an ancestor), to
  // the principal or one of its groups.
  bool Holds(Privilege privilege, const Securable& object) const;
  Principal principal_;
  std::set<std::tuple<Privilege, SecurableKind, std::string>> grants_;  // to it or its groups
  std::set<Securable> owned_;                                           // by it or its groups
};

// Access::Load(ms, principal).Decide(privilege, object).
StatusOr<Decision> Decide(Metastore& ms, std::string_view principal, Privilege privilege, const Securable& object);

// The table securable of a registered table.
inline Securable TableSecurable(const TableInfo& t) { return {SecurableKind::kTable, t.FullName()}; }

}  // namespace pareto::catalog
