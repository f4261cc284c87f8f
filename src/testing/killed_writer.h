// A writer process killed with SIGKILL at a random point, for the tests that every write it
// acknowledged survives (store/segment). Test code only.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace cdrd::testing {

// Forks a child that runs `write(ack)`: it writes forever and calls ack(n) once write n is
// acknowledged (durable). After `before_kill` acks the child is killed with SIGKILL, most likely
// in the middle of a write. Returns every n the child acknowledged, in order, and sets
// `killed` to whether the kill stopped it (false: it exited by itself, a failure of the test).
// A child that cannot start or whose write fails exits by itself.
inline std::vector<std::int64_t> acks_before_kill(
    int before_kill, const std::function<void(const std::function<void(std::int64_t)>&)>& write,
    bool& killed) {
  std::vector<std::int64_t> acks;
  killed = false;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return acks;
  const pid_t pid = ::fork();
  if (pid < 0) return acks;
  if (pid == 0) {
    ::close(pipe_fds[0]);
    write([&](std::int64_t n) {
      if (::write(pipe_fds[1], &n, sizeof n) != sizeof n) ::_exit(5);
    });
    ::_exit(4);  // write() returns only when a write failed
  }
  ::close(pipe_fds[1]);
  std::int64_t n = 0;
  while (static_cast<int>(acks.size()) < before_kill &&
         ::read(pipe_fds[0], &n, sizeof n) == sizeof n) {
    acks.push_back(n);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  killed = ::waitpid(pid, &status, 0) == pid && WIFSIGNALED(status);
  while (::read(pipe_fds[0], &n, sizeof n) == sizeof n) acks.push_back(n);
  ::close(pipe_fds[0]);
  return acks;
}

}  // namespace cdrd::testing
