// GroupCommit: the write path the local call stores share (SqliteCallStore,
// segment::SegmentCallStore): a queue of batches, one writer thread that takes every batch
// waiting (up to max_group_records calls, at least one batch) as one group and writes it, and
// one publisher thread that takes the written groups in order, adds their calls to the list
// indexes and answers them, while the writer writes the next group. Once the writer has had no
// batch for compact_quiet it packs the list index of each account the publisher added calls to,
// one AccountCallIndex::compact_step at a time under the account's index lock, looking at its
// queue between two steps. Answered batches are freed by the next enqueue, on its caller's
// thread, and some of their records kept for take_spent_records.
//
// The store gives the two stages: write(group) on the writer thread, which ends by handing the
// group to publish_group() (written) or answer() (failed); publish(group) on the publisher
// thread, which answers each batch and ends with answer(). `Batch` has `owned` (the records it
// owns), `records` (what it writes: `owned` or a caller's) and `done` (its promise); `Slot` an
// index lock `mu` and an `AccountCallIndex index` guarded by it.
//
// Thread-safety: enqueue, take_spent_records and stop from any thread; publish_group and answer
// from the store's stages. Header-only: a template over the stores' types.
#pragma once

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/call_record.h"
#include "core/mutex.h"
#include "core/status.h"
#include "store/call_store.h"
#include "store/index/account_call_index.h"

namespace cdrd {

template <class Batch, class Slot>
class GroupCommit {
 public:
  using Group = std::vector<std::unique_ptr<Batch>>;
  struct Options {
    std::size_t max_group_records = 40'000;
    // How long the writer waits without a batch before it compacts: a second, not less, since
    // between the groups of a running ingest (tens of milliseconds apart) a step would merge each
    // chunk's few new calls again and again (at 10,000,000 calls, ingest lost 7% of its rate on
    // the sqlite store and half of its last tenth on the segment store to it).
    std::chrono::milliseconds compact_quiet{1000};
    std::size_t compact_step_rows = index::AccountCallIndex::kChunkRows;
    // Answered batches whose records take_spent_records hands back, and their largest size.
    std::size_t spent_kept = 4;
    std::size_t spent_max_records = 16'384;
  };
  using Stage = std::function<void(Group&)>;

  // `stepped` (when given) runs after each compaction step, on the writer thread.
  GroupCommit(Options options, Stage write, Stage publish, std::function<void()> stepped = {})
      : options_(options),
        write_(std::move(write)),
        publish_(std::move(publish)),
        stepped_(std::move(stepped)) {}
  ~GroupCommit() { stop(); }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues the batch (starting the writer on first use); the caller took its future before.
  // An empty batch is answered at once, and one queued after stop() is answered kUnavailable.
  void enqueue(std::unique_ptr<Batch> batch) EXCLUDES(queue_mu_) {
    if (batch->records->empty()) {
      batch->done.set_value(std::vector<InsertOutcome>());
      return;
    }
    Group answered;  // freed here, on the caller's thread, after the lock
    {
      MutexLock lock(&queue_mu_);
      if (stopping_) {
        batch->done.set_value(Status::Unavailable("the call store is closing"));
        return;
      }
      if (!writer_.joinable()) writer_ = std::thread([this] { write_loop(); });
      queue_.push_back(std::move(batch));
      answered.swap(answered_);
    }
    queue_cv_.signal();
    // The answered batches' records are kept for take_spent_records while there is room.
    for (std::unique_ptr<Batch>& done : answered) {
      if (done->owned.empty() || done->owned.size() > options_.spent_max_records) continue;
      MutexLock lock(&spent_mu_);
      if (spent_.size() >= options_.spent_kept) break;
      spent_.push_back(std::move(done->owned));
    }
  }

  std::vector<CallRecord> take_spent_records() EXCLUDES(spent_mu_) {
    MutexLock lock(&spent_mu_);
    if (spent_.empty()) return {};
    std::vector<CallRecord> out = std::move(spent_.back());
    spent_.pop_back();
    return out;
  }

  // From write(): the group is written; the publisher publishes it.
  void publish_group(Group&& group) EXCLUDES(publish_mu_) {
    {
      MutexLock lock(&publish_mu_);
      if (!publisher_.joinable()) publisher_ = std::thread([this] { publish_loop(); });
      publish_queue_.push_back(std::move(group));
    }
    publish_cv_.signal();
  }

  // From write() (a failed group) or publish() (once its batches are answered): the group is
  // done with, and `indexed` took calls (the writer compacts them once it is idle).
  void answer(Group& group, const std::vector<Slot*>& indexed) EXCLUDES(queue_mu_) {
    MutexLock lock(&queue_mu_);
    indexed_.insert(indexed_.end(), indexed.begin(), indexed.end());
    for (auto& batch : group) answered_.push_back(std::move(batch));
    queue_cv_.signal();
  }

  // Writes what is queued, then stops the writer, then publishes what is written and stops the
  // publisher. Idempotent; the store calls it before its own members go.
  void stop() EXCLUDES(queue_mu_, publish_mu_) {
    std::thread writer;
    {
      MutexLock lock(&queue_mu_);
      stopping_ = true;
      writer = std::move(writer_);
    }
    queue_cv_.signal_all();
    if (writer.joinable()) writer.join();
    std::thread publisher;
    {
      MutexLock lock(&publish_mu_);
      publish_stopping_ = true;
      publisher = std::move(publisher_);
    }
    publish_cv_.signal_all();
    if (publisher.joinable()) publisher.join();
  }

  // Compaction steps run since start, for the metrics and the tests.
  std::uint64_t compaction_steps() const { return steps_.load(std::memory_order_relaxed); }

 private:
  // Where a compaction pass begins: before every call.
  static constexpr index::AccountCallIndex::Position kFromStart{
      std::numeric_limits<Micros>::min(), std::numeric_limits<std::int64_t>::min()};

  void write_loop() EXCLUDES(queue_mu_) {
    pthread_setname_np(pthread_self(), "cdrd-writer");  // for ps, top and perf
    bool quiet = false;  // no batch came for compact_quiet since the last group
    for (;;) {
      Group group;
      {
        MutexLock lock(&queue_mu_);
        for (;;) {
          // The accounts the publisher added calls to: compacted once the writer is idle, by a
          // pass from the first chunk.
          for (Slot* slot : indexed_) compacting_[slot] = kFromStart;
          indexed_.clear();
          if (!queue_.empty() || stopping_) break;
          if (compacting_.empty()) {
            queue_cv_.wait();
          } else if (quiet) {
            break;  // a compaction step (below), then a look at the queue again
          } else {
            quiet = !queue_cv_.wait_for(options_.compact_quiet);
          }
        }
        if (queue_.empty() && stopping_) return;  // everything queued is written
        // Whatever waits, in queue order, up to max_group_records calls (at least one batch).
        std::size_t calls = 0;
        while (!queue_.empty() && (group.empty() || calls + queue_.front()->records->size() <=
                                                        options_.max_group_records)) {
          calls += queue_.front()->records->size();
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      if (group.empty()) {
        compact_step();
        continue;
      }
      quiet = false;
      write_(group);
    }
  }

  // One compaction step of the first account waiting (the writer thread's own).
  void compact_step() {
    const auto it = compacting_.begin();
    Slot* slot = it->first;
    std::optional<index::AccountCallIndex::Position> next;
    {
      WriterLock lock(&slot->mu);
      next = slot->index.compact_step(it->second, options_.compact_step_rows);
    }
    steps_.fetch_add(1, std::memory_order_relaxed);
    if (stepped_) stepped_();
    if (next) {
      it->second = *next;
    } else {
      compacting_.erase(it);
    }
  }

  void publish_loop() EXCLUDES(publish_mu_) {
    pthread_setname_np(pthread_self(), "cdrd-publisher");
    for (;;) {
      Group group;
      {
        MutexLock lock(&publish_mu_);
        while (publish_queue_.empty() && !publish_stopping_) publish_cv_.wait();
        if (publish_queue_.empty()) return;  // stopping, and every group is answered
        group = std::move(publish_queue_.front());
        publish_queue_.pop_front();
      }
      publish_(group);
    }
  }

  const Options options_;
  const Stage write_, publish_;
  const std::function<void()> stepped_;

  Mutex queue_mu_;
  CondVar queue_cv_{&queue_mu_};
  std::deque<std::unique_ptr<Batch>> queue_ GUARDED_BY(queue_mu_);
  // Answered batches, freed by the next enqueue on its caller's thread rather than by the
  // writer: a batch owns its records (some 60 strings each), and freeing them is time the one
  // writer thread would not spend writing.
  Group answered_ GUARDED_BY(queue_mu_);
  // The accounts whose index the publisher added calls to, for the writer to compact.
  std::vector<Slot*> indexed_ GUARDED_BY(queue_mu_);
  bool stopping_ GUARDED_BY(queue_mu_) = false;
  std::thread writer_ GUARDED_BY(queue_mu_);  // started by the first enqueue
  // The writer thread's own: the accounts being compacted, each with where its pass goes on.
  std::map<Slot*, index::AccountCallIndex::Position> compacting_;
  std::atomic<std::uint64_t> steps_{0};

  Mutex spent_mu_;
  std::vector<std::vector<CallRecord>> spent_ GUARDED_BY(spent_mu_);

  Mutex publish_mu_;
  CondVar publish_cv_{&publish_mu_};
  std::deque<Group> publish_queue_ GUARDED_BY(publish_mu_);
  bool publish_stopping_ GUARDED_BY(publish_mu_) = false;
  std::thread publisher_ GUARDED_BY(publish_mu_);  // started by the first written group
};

}  // namespace cdrd
