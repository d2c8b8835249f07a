#include "catalog/table_name.h"

#include <vector>

namespace pareto::catalog {

bool IsIdentifier(std::string_view part) {
  if (part.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(part[0])) return false;
  for (char c : part) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string LowerIdentifier(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

StatusOr<TableName> TableName::Parse(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    parts.push_back(LowerIdentifier(text.substr(start, dot == std::string_view::npos ? std::string_view::npos
                                                                                      : dot - start)));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  bool ok = parts.size() <= 3;
  for (const std::string& p : parts) ok = ok && IsIdentifier(p);
  if (!ok) {
    return std::unexpected(InvalidArgument("table name \"" + std::string(text) +
                                           "\" must be catalog.schema.table, schema.table or table, each part "
                                           "letters, digits and '_'"));
  }
  TableName name;
  name.table = parts.back();
  if (parts.size() >= 2) name.schema = parts[parts.size() - 2];
  if (parts.size() == 3) name.catalog = parts[0];
  return name;
}

StatusOr<TableName> TableName::Full(std::string_view catalog, std::string_view schema, std::string_view table) {
  for (std::string_view part : {catalog, schema, table}) {
    if (!IsIdentifier(part)) {
      return std::unexpected(InvalidArgument("table name \"" + std::string(catalog) + "." + std::string(schema) +
                                             "." + std::string(table) +
                                             "\" must be catalog.schema.table, each part letters, digits and '_'"));
    }
  }
  return TableName{LowerIdentifier(catalog), LowerIdentifier(schema), LowerIdentifier(table)};
}

StatusOr<TableName> TableName::InCatalog(std::string_view text, std::string_view catalog) {
  PARETO_ASSIGN_OR_RETURN(TableName name, Parse(text));
  if (name.schema.empty()) {
    return std::unexpected(InvalidArgument("table " + std::string(text) + " must be schema.table, e.g. gold.gld_rfm"));
  }
  if (name.catalog.empty()) return Full(catalog, name.schema, name.table);
  return name;
}

std::string TableName::ToString() const {
  std::string out;
  if (!catalog.empty()) out = catalog + ".";
  if (!schema.empty()) out += schema + ".";
  return out + table;
}

}  // namespace pareto::catalog
