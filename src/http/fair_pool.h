// FairPool: the worker threads that run request handlers, off the I/O threads, with fairness
// between tenants (accounts). Each task belongs to a tenant; at most `per_tenant_running` tasks
// of one tenant run at once, and tenants with work waiting are served round-robin, so one
// account looping slow queries occupies at most that many workers while the others keep theirs.
// Queues are bounded: per tenant (`per_tenant_queued`, then kTenantFull: the caller answers 429)
// and in all (`max_queued`, then kFull: the caller answers 503).
//
// Thread-safe. stop() (also run by the destructor) stops accepting, drops tasks not yet started
// and waits for the running ones to return.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"

namespace cdrd::http {

class FairPool {
 public:
  struct Limits {
    int threads = 4;
    int per_tenant_running = 2;
    std::size_t per_tenant_queued = 256;
    std::size_t max_queued = 4096;
  };
  enum class Submitted { kQueued, kTenantFull, kFull };

  explicit FairPool(Limits limits);
  ~FairPool();
  FairPool(const FairPool&) = delete;
  FairPool& operator=(const FairPool&) = delete;

  Submitted submit(const std::string& tenant, std::function<void()> task) EXCLUDES(mu_);
  void stop() EXCLUDES(mu_);

  const Limits& limits() const { return limits_; }

 private:
  struct Tenant {
    std::deque<std::function<void()>> queue;
    int running = 0;
    bool ready = false;  // listed in ready_
  };
  void work() EXCLUDES(mu_);
  // Lists the tenant as ready when it has work and room to run more.
  void make_ready_if_runnable(const std::string& name, Tenant& tenant) REQUIRES(mu_);

  const Limits limits_;
  Mutex mu_;
  CondVar cv_{&mu_};
  std::unordered_map<std::string, Tenant> tenants_ GUARDED_BY(mu_);
  // Round-robin order of tenants that may run a task now.
  std::deque<std::string> ready_ GUARDED_BY(mu_);
  std::size_t queued_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  // Started by the constructor, joined and cleared by stop(); stop() is not run concurrently
  // with itself (the server calls it from run() and then from its destructor).
  std::vector<std::thread> threads_;
};

}  // namespace cdrd::http
