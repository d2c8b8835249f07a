#include "sql_test_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

namespace pareto::sqltest {
namespace {

struct Directive {
  std::string name;
  std::string argument;
};

std::string_view Trim(std::string_view s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  const auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

// `-- name: argument` with a lower-case name of letters and '-'; anything else is body text
// (so ordinary SQL comments such as `-- the first order` stay part of a body).
std::optional<Directive> ParseDirective(std::string_view line) {
  if (!line.starts_with("-- ")) return std::nullopt;
  const std::string_view rest = line.substr(3);
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view name = rest.substr(0, colon);
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || c == '-')) return std::nullopt;
  }
  static constexpr std::string_view kKnown[] = {"input", "sql", "run", "query", "expect",
                                                 "expect-error", "expectation"};
  bool known = false;
  for (auto k : kKnown) known = known || k == name;
  if (!known) return std::nullopt;
  return Directive{std::string(name), std::string(Trim(rest.substr(colon + 1)))};
}

}  // namespace

StatusOr<std::vector<Step>> ParseTestFile(std::string_view text) {
  std::vector<Step> steps;
  // The step whose body the current lines belong to, and whether they are expected rows.
  bool in_expect = false;
  bool have_step = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const auto nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with("#")) continue;

    if (auto d = ParseDirective(line)) {
      if (d->name == "expect" || d->name == "expect-error") {
        if (!have_step || (d->name == "expect" && steps.back().kind != StepKind::kQuery) ||
            (d->name == "expect-error" && steps.back().kind != StepKind::kQuery &&
             steps.back().kind != StepKind::kRun)) {
          return std::unexpected(InvalidArgument(
              fmt::format("line {}: '-- {}:' must follow a {}", line_no, d->name,
                          d->name == "expect" ? "query" : "run or query")));
        }
        if (d->name == "expect-error") {
          steps.back().expects_error = true;
          steps.back().expected_error = d->argument;
          in_expect = false;
        } else {
          steps.back().checks_rows = true;
          in_expect = true;
        }
        continue;
      }
      in_expect = false;
      Step step;
      step.line = line_no;
      step.argument = d->argument;
      if (d->name == "input") step.kind = StepKind::kInput;
      if (d->name == "sql") step.kind = StepKind::kSql;
      if (d->name == "run") step.kind = StepKind::kRun;
      if (d->name == "query") step.kind = StepKind::kQuery;
      if (d->name == "expectation") step.kind = StepKind::kExpectation;
      if ((step.kind == StepKind::kInput || step.kind == StepKind::kRun) && step.argument.empty()) {
        return std::unexpected(
            InvalidArgument(fmt::format("line {}: '-- {}:' needs a table name", line_no, d->name)));
      }
      steps.push_back(std::move(step));
      have_step = true;
      continue;
    }

    if (!have_step) {
      if (Trim(line).empty()) continue;
      return std::unexpected(InvalidArgument(
          fmt::format("line {}: text before the first directive (comments start with '#')", line_no)));
    }
    Step& step = steps.back();
    if (in_expect) {
      if (!Trim(line).empty()) step.expected_rows.emplace_back(Trim(line));
      continue;
    }
    if (step.kind == StepKind::kRun && !Trim(line).empty()) {
      return std::unexpected(
          InvalidArgument(fmt::format("line {}: '-- run:' takes no body", line_no)));
    }
    if (step.kind == StepKind::kInput && Trim(line).empty()) continue;
    step.body.append(line);
    step.body.push_back('\n');
  }

  for (const Step& step : steps) {
    if (step.kind != StepKind::kExpectation) continue;
    const auto words = std::count(step.argument.begin(), step.argument.end(), ' ');
    if (words != 2 || Trim(step.body).empty()) {
      return std::unexpected(InvalidArgument(fmt::format(
          "line {}: '-- expectation:' needs `table name action` and a condition as its body", step.line)));
    }
  }
  // A query's result must be checked: by rows or by an expected error.
  for (const Step& step : steps) {
    if (step.kind != StepKind::kQuery) continue;
    if (Trim(step.body).empty()) {
      return std::unexpected(InvalidArgument(fmt::format("line {}: empty query", step.line)));
    }
    if (!step.checks_rows && !step.expects_error) {
      return std::unexpected(InvalidArgument(
          fmt::format("line {}: a query needs '-- expect:' or '-- expect-error:'", step.line)));
    }
  }
  return steps;
}

}  // namespace pareto::sqltest
