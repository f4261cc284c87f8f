#include "http/fair_pool.h"

#include <algorithm>

namespace cdrd::http {

FairPool::FairPool(Limits limits)
    : limits_([&] {
        limits.threads = std::max(limits.threads, 1);
        limits.per_tenant_running = std::max(limits.per_tenant_running, 1);
        limits.per_tenant_queued = std::max<std::size_t>(limits.per_tenant_queued, 1);
        limits.max_queued = std::max<std::size_t>(limits.max_queued, 1);
        return limits;
      }()) {
  threads_.reserve(static_cast<std::size_t>(limits_.threads));
  for (int i = 0; i < limits_.threads; ++i) threads_.emplace_back([this] { work(); });
}

FairPool::~FairPool() { stop(); }

FairPool::Submitted FairPool::submit(const std::string& tenant, std::function<void()> task) {
  MutexLock lock(&mu_);
  if (stopping_) return Submitted::kFull;
  if (queued_ >= limits_.max_queued) return Submitted::kFull;
  Tenant& t = tenants_[tenant];
  if (t.queue.size() >= limits_.per_tenant_queued) return Submitted::kTenantFull;
  t.queue.push_back(std::move(task));
  ++queued_;
  make_ready_if_runnable(tenant, t);
  return Submitted::kQueued;
}

void FairPool::make_ready_if_runnable(const std::string& name, Tenant& tenant) {
  if (!tenant.ready && !tenant.queue.empty() && tenant.running < limits_.per_tenant_running) {
    tenant.ready = true;
    ready_.push_back(name);
    cv_.signal();
  }
}

void FairPool::work() {
  MutexLock lock(&mu_);
  for (;;) {
    while (!stopping_ && ready_.empty()) cv_.wait();
    if (stopping_) return;
    std::string name = std::move(ready_.front());
    ready_.pop_front();
    auto it = tenants_.find(name);
    Tenant& tenant = it->second;
    tenant.ready = false;
    std::function<void()> task = std::move(tenant.queue.front());
    tenant.queue.pop_front();
    --queued_;
    ++tenant.running;
    make_ready_if_runnable(name, tenant);  // to the back of the round: others go first

    mu_.unlock();
    task();          // tasks catch their own exceptions (the server's do)
    task = nullptr;  // destroy what it holds outside the lock too
    mu_.lock();

    it = tenants_.find(name);
    Tenant& after = it->second;
    --after.running;
    if (after.running == 0 && after.queue.empty()) {
      tenants_.erase(it);
    } else {
      make_ready_if_runnable(name, after);
    }
  }
}

void FairPool::stop() {
  std::vector<std::function<void()>> dropped;  // destroyed outside the lock
  {
    MutexLock lock(&mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    for (auto& [name, tenant] : tenants_) {
      for (auto& task : tenant.queue) dropped.push_back(std::move(task));
      tenant.queue.clear();
    }
    ready_.clear();
    queued_ = 0;
  }
  cv_.signal_all();
  for (auto& t : threads_) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
  threads_.clear();
}

}  // namespace cdrd::http
