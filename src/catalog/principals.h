// Who may act on the lakehouse: users and groups (migration 9).
//
// A fresh lakehouse has one user, `admin` (the local user, who may do
// everything); more are added by an admin:
//
//   PARETO_RETURN_IF_ERROR(AddPrincipal(ms, "alice", PrincipalKind::kUser));
//   PARETO_RETURN_IF_ERROR(AddPrincipal(ms, "analysts", PrincipalKind::kGroup));
//   PARETO_RETURN_IF_ERROR(AddGroupMember(ms, "analysts", "alice"));
//   PARETO_ASSIGN_OR_RETURN(Principal alice, LoadPrincipal(ms, "alice"));  // groups: {"analysts"}
//
// Users and groups share one namespace, so a grant's grantee is never ambiguous.
// A group may hold groups; membership is followed transitively. Every change
// bumps the governance epoch (GovernanceEpoch), which a server compares to
// know a principal's session is stale.
//
// Ownership: free functions over a borrowed Metastore. Thread safety: as the
// Metastore (one per thread).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/metastore.h"
#include "common/status.h"

namespace pareto::catalog {

// The user every fresh lakehouse has, and whom the command line acts as.
inline constexpr std::string_view kAdminUser = "admin";

enum class PrincipalKind { kUser, kGroup };

struct Principal {
  std::string name;
  PrincipalKind kind = PrincipalKind::kUser;
  bool is_admin = false;
  std::set<std::string> groups;  // every group it is in, directly or through groups

  // is_member(name) as masks and row filters write it: the principal itself or one of its groups.
  bool IsMember(std::string_view group) const { return name == group || groups.contains(std::string(group)); }
};

// kInvalidArgument for a malformed name (letters, digits, '-', '_', '.', '@'; at
// most 64), kAlreadyExists when the name is taken by a user or a group.
Status AddPrincipal(Metastore& ms, std::string_view name, PrincipalKind kind);
// kNotFound naming whichever of the two is unknown; kInvalidArgument when
// `group` is a user or the membership would make a cycle; adding twice is fine.
Status AddGroupMember(Metastore& ms, std::string_view group, std::string_view member);
Status RemoveGroupMember(Metastore& ms, std::string_view group, std::string_view member);
// The principal with its groups (transitively); kNotFound when unknown.
StatusOr<Principal> LoadPrincipal(Metastore& ms, std::string_view name);
// Every user and group by name, with their groups.
StatusOr<std::vector<Principal>> ListPrincipals(Metastore& ms);
// Counts every governance change (principals, membership, grants, owners,
// masks, row filters): equal epochs mean equal rules.
StatusOr<int64_t> GovernanceEpoch(Metastore& ms);

// Inside catalog/: bumps the epoch (each change function calls it in its transaction).
Status BumpGovernanceEpoch(Metastore& ms);
// A valid principal name.
bool ValidPrincipalName(std::string_view name);

}  // namespace pareto::catalog
