#include "crypto/digest.h"

#include <gtest/gtest.h>

namespace kauth {
namespace {

TEST(DigestTest, Sha256KnownAnswer) {
  EXPECT_EQ(HexLower(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexLower(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// RFC 4231 test case 2.
TEST(DigestTest, HmacSha256KnownAnswer) {
  const std::string key = "Jefe";
  HmacSha256 hmac({reinterpret_cast<const std::uint8_t*>(key.data()), key.size()});
  auto message = hmac.Begin();
  message.Update("what do ya want ");
  message.Update("for nothing?");
  EXPECT_EQ(HexLower(message.Final()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231 test case 6: a key longer than the block size is hashed first.
TEST(DigestTest, HmacSha256LongKey) {
  const std::string key(131, '\xaa');
  HmacSha256 hmac({reinterpret_cast<const std::uint8_t*>(key.data()), key.size()});
  auto message = hmac.Begin();
  message.Update("Test Using Larger Than Block-Size Key - Hash Key First");
  EXPECT_EQ(HexLower(message.Final()),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(DigestTest, RandomKeysDiffer) {
  const auto a = HmacSha256::WithRandomKey();
  const auto b = HmacSha256::WithRandomKey();
  auto ma = a.Begin();
  auto mb = b.Begin();
  ma.Update("token");
  mb.Update("token");
  EXPECT_NE(ma.Final(), mb.Final());
}

TEST(DigestTest, ConstantTimeEquals) {
  const Sha256Digest x = Sha256("x");
  const Sha256Digest y = Sha256("y");
  EXPECT_TRUE(ConstantTimeEquals(x, x));
  EXPECT_FALSE(ConstantTimeEquals(x, y));
  EXPECT_FALSE(ConstantTimeEquals(std::span(x).first(3), x));
}

}  // namespace
}  // namespace kauth
