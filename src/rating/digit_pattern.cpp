#include "rating/digit_pattern.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <utility>

namespace cdrd::rating {

// Recursive descent over the pattern into a tree, then the tree into a backtracking program.
// The patterns come from libphonenumber's metadata, not from a client; the nesting is still
// bounded (kMaxNesting) so that no pattern can exhaust the stack.
class PatternCompiler {
 public:
  explicit PatternCompiler(std::string_view p) : p_(p) {}

  Result<DigitPattern> compile() {
    std::unique_ptr<Node> root = alternation(0);
    if (!error_.empty()) return fail(error_);
    if (pos_ != p_.size()) return fail("unexpected '" + std::string(1, p_[pos_]) + "'");
    DigitPattern out;
    prog_ = &out.program_;
    emit(*root);
    prog_->push_back({DigitPattern::Op::kMatch, 0, 0, 0});
    if (prog_->size() > kMaxProgram) return fail("too long once its repetitions are written out");
    out.first_digits_ = first_digits(out.program_);
    return out;
  }

 private:
  using Op = DigitPattern::Op;
  static constexpr int kMaxNesting = 32;
  static constexpr int kMaxRepeat = 64;
  static constexpr std::size_t kMaxProgram = 1 << 16;

  struct Node {
    enum Kind { kDigits, kSeq, kAlt, kRepeat, kEnd } kind = kSeq;
    std::uint16_t digits = 0;
    int min = 0, max = 0;  // kRepeat; max -1: unbounded
    std::vector<std::unique_ptr<Node>> kids;
  };

  static std::unique_ptr<Node> node(Node::Kind kind) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    return n;
  }

  Status fail(const std::string& why) const {
    return Status::Invalid("pattern '" + std::string(p_) + "': " + why);
  }
  std::unique_ptr<Node> error(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return nullptr;
  }
  bool more() const { return pos_ < p_.size() && error_.empty(); }

  std::unique_ptr<Node> alternation(int depth) {
    if (depth > kMaxNesting) return error("nested too deeply");
    auto alt = node(Node::kAlt);
    alt->kids.push_back(sequence(depth));
    while (more() && p_[pos_] == '|') {
      ++pos_;
      alt->kids.push_back(sequence(depth));
    }
    if (!error_.empty()) return nullptr;
    return alt;
  }

  std::unique_ptr<Node> sequence(int depth) {
    auto seq = node(Node::kSeq);
    while (more() && p_[pos_] != '|' && p_[pos_] != ')') {
      std::unique_ptr<Node> a = atom(depth);
      if (!a) return nullptr;
      a = quantified(std::move(a));
      if (!a) return nullptr;
      seq->kids.push_back(std::move(a));
    }
    return seq;
  }

  std::unique_ptr<Node> atom(int depth) {
    const char c = p_[pos_++];
    if (c >= '0' && c <= '9') return digits(static_cast<std::uint16_t>(1u << (c - '0')));
    if (c == '\\') {
      if (pos_ < p_.size() && p_[pos_] == 'd') {
        ++pos_;
        return digits(0x3FF);
      }
      return error("only \\d is understood after a backslash");
    }
    if (c == '$') return node(Node::kEnd);
    if (c == '[') return digit_class();
    if (c == '(') {
      if (p_.substr(pos_, 2) == "?:") pos_ += 2;
      std::unique_ptr<Node> inner = alternation(depth + 1);
      if (!inner) return nullptr;
      if (pos_ >= p_.size() || p_[pos_] != ')') return error("a group is not closed");
      ++pos_;
      return inner;
    }
    return error("'" + std::string(1, c) + "' is outside the dialect");
  }

  std::unique_ptr<Node> digit_class() {
    std::uint16_t set = 0;
    while (pos_ < p_.size() && p_[pos_] != ']') {
      const char lo = p_[pos_++];
      if (lo < '0' || lo > '9') return error("a class may hold only digits and ranges");
      char hi = lo;
      if (pos_ + 1 < p_.size() && p_[pos_] == '-' && p_[pos_ + 1] != ']') {
        hi = p_[pos_ + 1];
        pos_ += 2;
        if (hi < lo || hi > '9') return error("a bad range in a class");
      }
      for (char d = lo; d <= hi; ++d) set |= static_cast<std::uint16_t>(1u << (d - '0'));
    }
    if (pos_ >= p_.size() || set == 0) return error("a class is not closed or is empty");
    ++pos_;
    return digits(set);
  }

  static std::unique_ptr<Node> digits(std::uint16_t set) {
    auto n = node(Node::kDigits);
    n->digits = set;
    return n;
  }

  // The number at pos_, or -1.
  int number() {
    int n = -1;
    while (pos_ < p_.size() && p_[pos_] >= '0' && p_[pos_] <= '9') {
      n = (n < 0 ? 0 : n * 10) + (p_[pos_++] - '0');
      if (n > kMaxRepeat) return -2;
    }
    return n;
  }

  std::unique_ptr<Node> quantified(std::unique_ptr<Node> a) {
    while (more()) {
      int min = 0, max = 0;
      const char c = p_[pos_];
      if (c == '?') {
        max = 1;
      } else if (c == '*') {
        max = -1;
      } else if (c == '+') {
        min = 1, max = -1;
      } else if (c == '{') {
        ++pos_;
        min = number();
        max = min;
        if (pos_ < p_.size() && p_[pos_] == ',') {
          ++pos_;
          max = number();
        }
        if (min < 0 || max == -2 || (max >= 0 && max < min) || pos_ >= p_.size() ||
            p_[pos_] != '}') {
          return error("a bad {n,m}");
        }
      } else {
        return a;
      }
      ++pos_;
      auto r = node(Node::kRepeat);
      r->min = min;
      r->max = max;
      r->kids.push_back(std::move(a));
      a = std::move(r);
    }
    return a;
  }

  std::uint32_t here() const { return static_cast<std::uint32_t>(prog_->size()); }
  std::uint32_t push(Op op, std::uint16_t digits = 0) {
    prog_->push_back({op, digits, 0, 0});
    return here() - 1;
  }

  void emit(const Node& n) {
    if (prog_->size() > kMaxProgram) return;  // compile() refuses it
    switch (n.kind) {
      case Node::kDigits:
        push(Op::kDigits, n.digits);
        return;
      case Node::kEnd:
        push(Op::kEnd);
        return;
      case Node::kSeq:
        for (const auto& k : n.kids) emit(*k);
        return;
      case Node::kAlt: {
        std::vector<std::uint32_t> jumps;
        for (std::size_t i = 0; i < n.kids.size(); ++i) {
          if (i + 1 == n.kids.size()) {
            emit(*n.kids[i]);
            break;
          }
          const std::uint32_t split = push(Op::kSplit);
          (*prog_)[split].x = here();
          emit(*n.kids[i]);
          jumps.push_back(push(Op::kJump));
          (*prog_)[split].y = here();
        }
        for (std::uint32_t j : jumps) (*prog_)[j].x = here();
        return;
      }
      case Node::kRepeat: {
        const Node& kid = *n.kids.front();
        for (int i = 0; i < n.min; ++i) emit(kid);
        if (n.max < 0) {  // kid*: loop
          const std::uint32_t split = push(Op::kSplit);
          (*prog_)[split].x = here();
          emit(kid);
          const std::uint32_t back = push(Op::kJump);
          (*prog_)[back].x = split;
          (*prog_)[split].y = here();
          return;
        }
        // (?:kid(?:kid(?:...)?)?)?: once one is skipped, all the rest are.
        std::vector<std::uint32_t> splits;
        for (int i = n.min; i < n.max; ++i) {
          const std::uint32_t split = push(Op::kSplit);
          (*prog_)[split].x = here();
          splits.push_back(split);
          emit(kid);
        }
        for (std::uint32_t s : splits) (*prog_)[s].y = here();
        return;
      }
    }
  }

  // The digits a non-empty match may start with: those of every kDigits reachable from the
  // start through splits, jumps and $ (a superset).
  static std::uint16_t first_digits(const std::vector<DigitPattern::Inst>& prog) {
    std::uint16_t out = 0;
    std::vector<bool> seen(prog.size());
    std::vector<std::uint32_t> todo = {0};
    while (!todo.empty()) {
      const std::uint32_t pc = todo.back();
      todo.pop_back();
      if (seen[pc]) continue;
      seen[pc] = true;
      const DigitPattern::Inst& in = prog[pc];
      switch (in.op) {
        case Op::kDigits:
          out |= in.digits;
          break;
        case Op::kSplit:
          todo.push_back(in.x);
          todo.push_back(in.y);
          break;
        case Op::kJump:
          todo.push_back(in.x);
          break;
        case Op::kEnd:
          todo.push_back(pc + 1);
          break;
        case Op::kMatch:
          break;
      }
    }
    return out;
  }

  std::string_view p_;
  std::size_t pos_ = 0;
  std::string error_;
  std::vector<DigitPattern::Inst>* prog_ = nullptr;
};

Result<DigitPattern> DigitPattern::compile(std::string_view pattern) {
  return PatternCompiler(pattern).compile();
}

DigitPattern::Match DigitPattern::run(std::string_view digits, bool entirely) const {
  // Threads waiting to be tried: (instruction, position). Each split leaves one behind. A plain
  // struct, so that the array is not zeroed on every call (std::pair would be: 4 KiB a run).
  struct Thread {
    std::uint32_t pc, pos;
  };
  constexpr std::size_t kMaxWaiting = 512;
  constexpr int kMaxSteps = 100'000;
  std::array<Thread, kMaxWaiting> waiting;
  std::size_t n_waiting = 1;
  waiting[0] = {0, 0};
  int steps = 0;
  const auto size = static_cast<std::uint32_t>(digits.size());
  while (n_waiting > 0) {
    auto [pc, pos] = waiting[--n_waiting];  // copies: pc and pos move on below
    for (;;) {
      if (++steps > kMaxSteps) return Match::kUnknown;
      const Inst& in = program_[pc];
      if (in.op == Op::kDigits) {
        if (pos >= size) break;
        const unsigned d = static_cast<unsigned char>(digits[pos]) - '0';
        if (d > 9 || ((in.digits >> d) & 1) == 0) break;
        ++pc;
        ++pos;
      } else if (in.op == Op::kSplit) {
        if (n_waiting == kMaxWaiting) return Match::kUnknown;
        waiting[n_waiting++] = {in.y, pos};
        pc = in.x;
      } else if (in.op == Op::kJump) {
        pc = in.x;
      } else if (in.op == Op::kEnd) {
        if (pos != size) break;
        ++pc;
      } else {  // kMatch
        if (!entirely || pos == size) return Match::kYes;
        break;
      }
    }
  }
  return Match::kNo;
}

namespace {

// Which instructions a simulation step has reached, for one step at a time on this thread:
// marked with the step's number instead of cleared, so that a step costs what it visits, not
// the length of the program.
struct Visits {
  std::vector<std::uint32_t> mark;
  std::uint32_t step = 0;
  std::vector<std::uint32_t> todo;

  void begin(std::size_t program_size) {
    if (mark.size() < program_size) mark.resize(program_size, 0);
    if (++step == 0) {  // wrapped: forget every old mark
      std::fill(mark.begin(), mark.end(), 0);
      step = 1;
    }
  }
  // True the first time `pc` is seen in this step.
  bool first(std::uint32_t pc) {
    if (mark[pc] == step) return false;
    mark[pc] = step;
    return true;
  }
};

Visits& visits() {
  thread_local Visits v;
  return v;
}

}  // namespace

void DigitPattern::close(std::uint32_t pc, bool at_end, Threads& out) const {
  // Iterative: a pattern's splits may chain as long as its program.
  Visits& v = visits();
  v.todo.clear();
  v.todo.push_back(pc);
  while (!v.todo.empty()) {
    const std::uint32_t p = v.todo.back();
    v.todo.pop_back();
    if (!v.first(p)) continue;
    const Inst& in = program_[p];
    switch (in.op) {
      case Op::kSplit:
        v.todo.push_back(in.y);  // x first, as run() tries it (the order does not matter here)
        v.todo.push_back(in.x);
        break;
      case Op::kJump:
        v.todo.push_back(in.x);
        break;
      case Op::kEnd:
        out.push_back(p);
        if (at_end) v.todo.push_back(p + 1);
        break;
      case Op::kDigits:
      case Op::kMatch:
        out.push_back(p);
        break;
    }
  }
}

DigitPattern::Threads DigitPattern::start() const {
  Threads out;
  visits().begin(program_.size());
  close(0, false, out);
  std::sort(out.begin(), out.end());
  return out;
}

DigitPattern::Threads DigitPattern::step(const Threads& at, unsigned d) const {
  Threads out;
  if (d > 9) return out;
  visits().begin(program_.size());
  for (std::uint32_t pc : at) {
    const Inst& in = program_[pc];
    // A $ or the match consume no digit: their paths end here.
    if (in.op == Op::kDigits && ((in.digits >> d) & 1) != 0) close(pc + 1, false, out);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool DigitPattern::match_here(const Threads& at) const {
  return std::any_of(at.begin(), at.end(),
                     [this](std::uint32_t pc) { return program_[pc].op == Op::kMatch; });
}

bool DigitPattern::match_at_end(const Threads& at) const {
  Threads reached;
  visits().begin(program_.size());
  for (std::uint32_t pc : at) {
    if (program_[pc].op == Op::kMatch) return true;
    if (program_[pc].op == Op::kEnd) close(pc + 1, true, reached);
  }
  return match_here(reached);
}

}  // namespace cdrd::rating
