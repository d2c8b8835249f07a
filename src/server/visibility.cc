#include "server/visibility.h"

#include <algorithm>
#include <cctype>

namespace pareto::server {

StatusOr<Visibility> Visibility::For(Call& call) {
  PARETO_ASSIGN_OR_RETURN(catalog::SqlSession * session, call.Session());
  std::vector<std::string> hidden = session->Hidden();
  for (std::string& h : hidden) {
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
  }
  PARETO_ASSIGN_OR_RETURN(catalog::Access access, catalog::Access::Load(call.worker.lakehouse.metastore(), call.user));
  return Visibility(std::move(access), std::move(hidden));
}

bool Visibility::Hides(std::string_view name) const {
  if (name.empty()) return false;
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (std::count(lower.begin(), lower.end(), '.') == 2) {
    return !access_.Decide(catalog::Privilege::kSelect, {catalog::SecurableKind::kTable, lower}).allowed;
  }
  for (const std::string& h : hidden_) {
    if (h == lower) return true;
    if (h.size() > lower.size() && h.ends_with(lower) && h[h.size() - lower.size() - 1] == '.') return true;
  }
  return false;
}

}  // namespace pareto::server
