#include "cli/progress_view.h"

#include <fmt/format.h>

#include <algorithm>

namespace pareto::cli {
namespace {

constexpr int64_t kRedrawMs = 100;  // at most ten drawings a second

std::string Cut(std::string line, int width) {
  if (width > 4 && static_cast<int>(line.size()) > width) line = line.substr(0, static_cast<size_t>(width - 3)) + "...";
  return line;
}

}  // namespace

ProgressView::ProgressView(std::ostream& out, ProgressOptions options, std::function<int64_t()> now_ms)
    : out_(out), options_(options), now_ms_(std::move(now_ms)) {}

bool ProgressView::ColorAllowed(const char* no_color) { return no_color == nullptr || no_color[0] == '\0'; }

std::string ProgressView::Paint(const std::string& text, const std::string& state) const {
  if (!options_.color) return text;
  const char* code = state == "built"        ? "32"   // green
                     : state == "up to date" ? "2"    // dim
                     : state == "failed"     ? "1;31" // bold red
                     : state == "skipped"    ? "33"   // yellow
                     : state == "running"    ? "36"   // cyan
                                             : nullptr;
  return code ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : text;
}

std::string ProgressView::FinishedLine(const TaskLine& t) const {
  std::string line = fmt::format("pareto run: {} {}{}{} ({:.1f} s)", t.task, Paint(t.state, t.state),
                                 t.state == "built" && t.rows > 0 ? fmt::format(", {} rows", t.rows) : "",
                                 t.attempts > 1 ? fmt::format(" after {} attempts", t.attempts) : "", t.seconds);
  if ((t.state == "failed" || t.state == "skipped") && !t.message.empty()) {
    std::string cause = t.message;
    std::replace(cause.begin(), cause.end(), '\n', ' ');
    line += ": " + cause;
  }
  return line;
}

void ProgressView::Started(const std::string& task) {
  std::lock_guard lock(mu_);
  running_[task] = now_ms_();
  if (!options_.live) {
    out_ << "pareto run: " << task << " started\n" << std::flush;
    return;
  }
  EraseLocked();
  DrawLocked();
}

void ProgressView::Finished(const TaskLine& task) {
  std::lock_guard lock(mu_);
  running_.erase(task.task);
  finished_.push_back(task);
  if (!options_.live) {
    out_ << FinishedLine(task) << "\n" << std::flush;
    return;
  }
  EraseLocked();
  out_ << Cut(FinishedLine(task), options_.width + (options_.color ? 11 : 0)) << "\n";
  DrawLocked();
}

void ProgressView::Retrying(const std::string& task, int attempt, const std::string& error) {
  std::lock_guard lock(mu_);
  std::string cause = error;
  std::replace(cause.begin(), cause.end(), '\n', ' ');
  const std::string line = fmt::format("pareto run: {} attempt {} {}, retrying: {}", task, attempt,
                                       Paint("failed", "skipped"), cause);
  if (!options_.live) {
    out_ << line << "\n" << std::flush;
    return;
  }
  EraseLocked();
  out_ << Cut(line, options_.width + (options_.color ? 11 : 0)) << "\n";
  DrawLocked();
}

void ProgressView::Tick() {
  std::lock_guard lock(mu_);
  if (!options_.live) return;
  if (last_draw_ms_ >= 0 && now_ms_() - last_draw_ms_ < kRedrawMs) return;
  EraseLocked();
  DrawLocked();
}

void ProgressView::Close() {
  std::lock_guard lock(mu_);
  if (options_.live) EraseLocked();
  out_ << std::flush;
}

std::string ProgressView::RenderRunning() const {
  std::lock_guard lock(mu_);
  return RenderRunningLocked();
}

std::string ProgressView::RenderRunningLocked() const {
  if (running_.empty()) return "";
  const int64_t now = now_ms_();
  std::string out;
  for (const auto& [task, start] : running_) {
    const std::string line =
        Cut(fmt::format("  {} {:<40} {:>7.1f} s", "running", task, static_cast<double>(now - start) / 1000.0),
            options_.width);
    out += (options_.color ? Paint("  running", "running") + line.substr(9) : line) + "\n";
  }
  return out;
}

// The block is redrawn from its first line: up over what was drawn, clearing.
void ProgressView::EraseLocked() {
  for (int i = 0; i < drawn_lines_; ++i) out_ << "\x1b[1A\x1b[2K";
  drawn_lines_ = 0;
}

void ProgressView::DrawLocked() {
  const std::string block = RenderRunningLocked();
  out_ << block << std::flush;
  drawn_lines_ = static_cast<int>(std::count(block.begin(), block.end(), '\n'));
  last_draw_ms_ = now_ms_();
}

std::string ProgressView::Summary() const {
  std::lock_guard lock(mu_);
  size_t width = 4;
  for (const TaskLine& t : finished_) width = std::max(width, t.task.size());
  std::string out = fmt::format("{:<{}}  {:<10}  {:>10}  {:>8}\n", "task", width, "status", "rows", "seconds");
  for (const TaskLine& t : finished_) {
    // Padded before painting, so colour codes do not shift the columns.
    out += fmt::format("{:<{}}  {}  {:>10}  {:>8.1f}\n", t.task, width, Paint(fmt::format("{:<10}", t.state), t.state),
                       t.rows >= 0 ? std::to_string(t.rows) : "-", t.seconds);
  }
  return out;
}

}  // namespace pareto::cli
