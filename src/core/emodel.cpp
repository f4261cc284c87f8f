// The E-model formulas of ITU-T G.107 (06/2015), section 7, with the default parameter values
// of its Table 2 except the delays and the packet-loss impairment. Equation numbers refer to
// that edition.
#include "core/emodel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cdrd::emodel {
namespace {

// G.107 Table 2 defaults.
constexpr double kSlr = 8;     // send loudness rating, dB
constexpr double kRlr = 2;     // receive loudness rating, dB
constexpr double kStmr = 15;   // sidetone masking rating, dB
constexpr double kDr = 3;      // D-value of the telephone, receive side
constexpr double kDs = 3;      // D-value of the telephone, send side
constexpr double kTelr = 65;   // talker echo loudness rating, dB
constexpr double kWepl = 110;  // weighted echo path loss, dB
constexpr double kQdu = 1;     // quantizing distortion units
constexpr double kNc = -70;    // circuit noise, dBm0p
constexpr double kNfor = -64;  // noise floor at the receive side, dBmp
constexpr double kPs = 35;     // room noise at the send side, dB(A)
constexpr double kPr = 35;     // room noise at the receive side, dB(A)
constexpr double kMt = 100;    // delay below which Idd is 0, ms
constexpr double kSt = 1;      // delay sensitivity
constexpr double kA = 0;       // advantage factor (wired access)

constexpr double kOlr = kSlr + kRlr;
constexpr double kLstr = kStmr + kDr;

double lg(double x) { return std::log10(x); }

// No: the total noise power at the 0 dBr point (7-3 to 7-7).
double noise_no() {
  const double nos = kPs - kSlr - kDs - 100 + 0.004 * std::pow(kPs - kOlr - kDs - 14, 2);
  const double pre = kPr + 10 * lg(1 + std::pow(10, (10 - kLstr) / 10));
  const double nor = kRlr - 121 + pre + 0.008 * std::pow(pre - 35, 2);
  const double nfo = kNfor + kRlr;
  return 10 * lg(std::pow(10, kNc / 10) + std::pow(10, nos / 10) + std::pow(10, nor / 10) +
                 std::pow(10, nfo / 10));
}

// Is = Iolr + Ist + Iq (7-8 to 7-18); Ist depends on T through STMRo.
double simultaneous_impairment(double no, double ro, double t) {
  const double xolr = kOlr + 0.2 * (64 + no - kRlr);
  const double iolr = 20 * (std::pow(1 + std::pow(xolr / 8, 8), 1.0 / 8) - xolr / 8);
  const double stmro =
      -10 * lg(std::pow(10, -kStmr / 10) + std::exp(-t / 4) * std::pow(10, -kTelr / 10));
  const double ist = 12 * std::pow(1 + std::pow((stmro - 13) / 6, 8), 1.0 / 8) -
                     28 * std::pow(1 + std::pow((stmro + 1) / 19.4, 35), 1.0 / 35) -
                     13 * std::pow(1 + std::pow((stmro - 3) / 33, 13), 1.0 / 13) + 29;
  const double q = 37 - 15 * lg(kQdu);
  const double g = 1.07 + 0.258 * q + 0.0602 * q * q;
  const double y = (ro - 100) / 15 + 46 / 8.4 - g / 9;
  const double z = 46.0 / 30 - g / 40;
  const double iq = 15 * lg(1 + std::pow(10, y) + std::pow(10, z));
  return iolr + ist + iq;
}

// Idte: talker echo (7-21 to 7-24). STMR >= 9 dB, so TERV needs no sidetone correction.
double talker_echo(double no, double t) {
  const double roe = -1.5 * (no - kRlr);
  const double terv = kTelr - 40 * lg((1 + t / 10) / (1 + t / 150)) + 6 * std::exp(-0.3 * t * t);
  const double re = 80 + 2.5 * (terv - 14);
  const double d = roe - re;
  return (d / 2 + std::sqrt(d * d / 4 + 100) - 1) * (1 - std::exp(-t));
}

// Idle: listener echo (7-26, 7-27).
double listener_echo(double ro, double tr) {
  const double rle = 10.5 * (kWepl + 7) * std::pow(tr + 1, -0.25);
  const double d = ro - rle;
  return d / 2 + std::sqrt(d * d / 4 + 169);
}

// Idd: absolute delay (7-28, 7-29).
double absolute_delay(double ta) {
  if (ta <= kMt) return 0;
  const double x = lg(ta / kMt) / lg(2);
  const double e = 6 * kSt;
  return 25 *
         (std::pow(1 + std::pow(x, e), 1 / e) - 3 * std::pow(1 + std::pow(x / 3, e), 1 / e) + 2);
}

}  // namespace

Rating rate(const Path& path) {
  const double t = std::max(0.0, path.mean_one_way_delay_ms);
  const double ta = std::max(0.0, path.absolute_one_way_delay_ms);
  const double tr = std::max(0.0, path.round_trip_delay_ms);
  const double ppl = std::clamp(path.packet_loss_pct, 0.0, 100.0);

  Rating r;
  const double no = noise_no();
  r.ro = 15 - 1.5 * (kSlr + no);
  r.is = simultaneous_impairment(no, r.ro, t);
  r.idte = talker_echo(no, t);
  r.idle = listener_echo(r.ro, tr);
  r.idd = absolute_delay(ta);
  // Ie,eff (7-30): the codec's impairment plus what packet loss adds to it.
  r.ie_eff = path.ie + (95 - path.ie) * ppl / (ppl / path.burst_r + path.bpl);
  r.a = kA;
  r.r = r.ro - r.is - (r.idte + r.idle + r.idd) - r.ie_eff + r.a;
  return r;
}

double mos_from_r(double r) {
  if (r < 0) return 1;
  if (r > 100) return 4.5;
  const double mos = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
  return std::clamp(mos, 1.0, 4.5);
}

Path path_of(const CallMetrics& m) {
  Path p;
  const double one_way = std::max(0.0, m.rtt_ms) / 2 + 2 * std::max(0.0, m.jitter_ms);
  p.mean_one_way_delay_ms = one_way;
  p.absolute_one_way_delay_ms = one_way;
  p.round_trip_delay_ms = 2 * one_way;
  p.packet_loss_pct = m.packet_loss_pct;
  p.ie = 0;
  p.bpl = 25.1;
  p.burst_r = 1;
  return p;
}

CallScore score_call(const CallMetrics& metrics) {
  CallScore s;
  s.rating = rate(path_of(metrics));
  s.mos = mos_from_r(s.rating.r);
  return s;
}

std::string format_score(double mos) {
  // Tenths, half away from zero; the small epsilon keeps 4.25 (stored as 4.2499999...) at 4.3.
  const double tenths = std::floor(std::clamp(mos, 1.0, 4.5) * 10 + 0.5 + 1e-9);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f", tenths / 10);
  return buf;
}

}  // namespace cdrd::emodel
