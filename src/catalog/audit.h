// The audit log (migration 9, `audit_log`): who did what, when, from where,
// to which objects, and whether it was allowed.
//
//   RecordAudit(ms, {.principal = "mia", .source = "api", .address = "10.0.0.7",
//                    .action = "sql", .text = "SELECT …", .objects = {"olist.silver.slv_customers"},
//                    .allowed = false, .reason = "mia lacks SELECT on TABLE olist.silver.slv_customers"});
//   ListAudit(ms, {.principal = "mia", .since_ms = …});
//
// Every statement a governed SqlSession runs or refuses is recorded there
// (sql_session.h), as is every governance command. A row is never changed.
//
// Ownership: free functions over a borrowed Metastore. Thread safety: as the Metastore.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/metastore.h"
#include "common/status.h"

namespace pareto::catalog {

struct AuditEntry {
  int64_t id = 0;        // set by the log
  int64_t at_ms = 0;     // set by RecordAudit when 0
  std::string principal;
  std::string source;    // "cli" or "api"
  std::string address;   // the client's address for the API; empty for the command line
  std::string action;    // "sql", "grant", "revoke", "user add", "run", …
  std::string text;      // the query text or the command
  std::vector<std::string> objects;  // full names of what it touched or tried to
  bool allowed = true;
  std::string reason;    // why it was denied
};

Status RecordAudit(Metastore& ms, AuditEntry entry);

struct AuditFilter {
  std::string principal;          // empty: everyone
  std::optional<int64_t> since_ms;
  std::optional<bool> allowed;    // only allowed / only denied
  int64_t limit = 1000;           // newest first
};

// Newest first.
StatusOr<std::vector<AuditEntry>> ListAudit(Metastore& ms, const AuditFilter& filter = {});

}  // namespace pareto::catalog
