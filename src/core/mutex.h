// Mutex, SharedMutex, their scoped locks and CondVar: std::mutex and friends with clang's
// thread-safety annotations (core/thread_annotations.h), so that `make lint` proves that every
// member marked GUARDED_BY(mu_) is only used with mu_ held. The shape is LevelDB's port::Mutex.
// Thread-safety: these are the synchronisation primitives; not copyable or movable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include <pthread.h>

#include "core/thread_annotations.h"

namespace cdrd {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  // Tells the analysis that the caller holds the mutex (where it cannot see the lock).
  void assert_held() ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// The three scoped locks (MutexLock, WriterLock, ReaderLock) are alike on purpose: the
// thread-safety analysis knows what a lock holds by its class (ACQUIRE vs ACQUIRE_SHARED on the
// constructor), so one template cannot serve them.

// Holds a Mutex for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->lock(); }
  ~MutexLock() RELEASE() { mu_->unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A readers-writer mutex: many readers or one writer. Writers go first: once a writer waits,
// new readers wait behind it, so a steady stream of readers (list requests) cannot starve a
// writer (an ingest batch adding its calls to the list index). std::shared_mutex makes no such
// promise (glibc's lets readers in ahead of a waiting writer), so this is a pthread rwlock of
// the writer-preferring kind.
class CAPABILITY("shared mutex") SharedMutex {
 public:
  SharedMutex() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&mu_, &attr);
    pthread_rwlockattr_destroy(&attr);
  }
  ~SharedMutex() { pthread_rwlock_destroy(&mu_); }
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() ACQUIRE() { pthread_rwlock_wrlock(&mu_); }
  void unlock() RELEASE() { pthread_rwlock_unlock(&mu_); }
  void lock_shared() ACQUIRE_SHARED() { pthread_rwlock_rdlock(&mu_); }
  void unlock_shared() RELEASE_SHARED() { pthread_rwlock_unlock(&mu_); }
  // Takes it for reading if that can be done at once (false when a writer holds it); never
  // blocks.
  bool try_lock_shared() TRY_ACQUIRE_SHARED(true) { return pthread_rwlock_tryrdlock(&mu_) == 0; }

 private:
  pthread_rwlock_t mu_;
};

// Holds a SharedMutex for writing for its scope.
class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->lock(); }
  ~WriterLock() RELEASE() { mu_->unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// Holds a SharedMutex for reading for its scope.
class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex* mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_->lock_shared(); }
  ~ReaderLock() RELEASE() { mu_->unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// A condition variable bound to one Mutex. wait() and wait_for() need the mutex held; they
// release it while waiting and hold it again when they return. Wake-ups may be spurious: wait
// in a loop on the condition. They carry no REQUIRES: the analysis cannot see that the mutex
// this CondVar was given is the caller's member (it would name it `cv.mu_`, never `mu_`), so the
// condition the loop tests, being GUARDED_BY the mutex, is what proves that it is held (as with
// LevelDB's port::CondVar).
class CondVar {
 public:
  explicit CondVar(Mutex* mu) : mu_(mu) {}
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void wait() {
    std::unique_lock<std::mutex> lock(mu_->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // Returns false when the time ran out.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> d) {
    std::unique_lock<std::mutex> lock(mu_->mu_, std::adopt_lock);
    const bool woken = cv_.wait_for(lock, d) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  void signal() { cv_.notify_one(); }
  void signal_all() { cv_.notify_all(); }

 private:
  Mutex* const mu_;
  std::condition_variable cv_;
};

}  // namespace cdrd
