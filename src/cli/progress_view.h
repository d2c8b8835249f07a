// What `pareto run` shows while it runs, fed by the executor's events
// (RunOptions::on_task_started / on_task_finished).
//
// On a terminal (stdout and stderr both): a live block of the running tasks
// with their elapsed time, redrawn in place with ANSI codes (Tick, at most ten
// times a second), each ended task printed once above it; at the end a summary
// table (task, status, rows, seconds). Elsewhere: one plain line a task event,
// the lines `pareto run` has always printed ("pareto run: silver.slv_orders
// built, 96 rows (0.4 s)"), "... started" when a task begins and "... attempt 1
// failed, retrying: cause" before a retry. Colour only on
// a terminal and never when NO_COLOR is set to anything non-empty
// (no-color.org).
//
// Thread safety: every method may be called from any thread; one lock guards
// the view. Ownership: borrows the stream and the clock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace pareto::cli {

struct ProgressOptions {
  bool live = false;   // redraw in place (a terminal)
  bool color = false;  // ANSI colours
  int width = 80;      // terminal columns, for cutting long lines
};

// How a task ended, as the view needs it (from pipeline::TaskReport).
struct TaskLine {
  std::string task;
  std::string state;  // "built", "up to date", "failed", "skipped"
  int64_t rows = -1;  // -1: not a count to show
  double seconds = 0;
  int attempts = 1;
  std::string message;  // the cause, for failed and skipped tasks
};

class ProgressView {
 public:
  ProgressView(std::ostream& out, ProgressOptions options, std::function<int64_t()> now_ms);

  void Started(const std::string& task);
  void Finished(const TaskLine& task);
  // A transient failure of attempt `attempt`, about to be retried.
  void Retrying(const std::string& task, int attempt, const std::string& error);
  // A live view redraws the running block when ~100 ms have passed since the
  // last drawing; a plain one does nothing.
  void Tick();
  // Clears the live block (before the summary is printed).
  void Close();

  // The running block as Tick draws it (no cursor movement), for tests.
  std::string RenderRunning() const;
  // The summary table of the ended tasks, in the order they ended.
  std::string Summary() const;

  // Whether NO_COLOR (any non-empty value) allows colour, given the variable's value.
  static bool ColorAllowed(const char* no_color);

 private:
  std::string FinishedLine(const TaskLine& t) const;
  std::string Paint(const std::string& text, const std::string& state) const;
  std::string RenderRunningLocked() const;
  void EraseLocked();
  void DrawLocked();

  std::ostream& out_;
  ProgressOptions options_;
  std::function<int64_t()> now_ms_;
  mutable std::mutex mu_;
  std::map<std::string, int64_t> running_;  // task -> start (ms)
  std::vector<TaskLine> finished_;
  int drawn_lines_ = 0;  // lines of the live block now on screen
  int64_t last_draw_ms_ = -1;
};

}  // namespace pareto::cli
