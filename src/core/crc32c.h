// CRC-32C (Castagnoli, the polynomial 0x1EDC6F41 reflected, as iSCSI, ext4 and SQLite's WAL
// peers use it): the checksum of a segment block (store/segment/segment_file.h).
//
// crc32c() uses the CPU's CRC32 instruction (SSE 4.2) when the machine has it, found once at
// the first call, and a table otherwise; crc32c_portable() is the table alone, for the tests
// that compare the two. Both continue a running checksum: crc32c(b, crc32c(a)) equals
// crc32c(a + b). The check value: crc32c("123456789") is 0xE3069283.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace cdrd {

std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);
std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc = 0);

}  // namespace cdrd
