// ExpiringLru: one stripe of the token cache's storage (R8.3): a map from digest to value in which
// every entry carries an expiry time and the number of entries is bounded, the least recently
// used entry going first.
//
// Not thread-safe: the token cache guards each stripe with its own mutex.
#ifndef KAUTH_CACHE_EXPIRING_LRU_H_
#define KAUTH_CACHE_EXPIRING_LRU_H_

#include <chrono>
#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

#include "crypto/digest.h"

namespace kauth {

template <typename Value>
class ExpiringLru {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // A capacity of 0 stores nothing.
  explicit ExpiringLru(std::size_t capacity) : capacity_(capacity) {}

  // The value stored under `key` unless it has expired (now >= expiry), or nullptr. A hit becomes
  // the most recently used entry; an expired entry is dropped. The pointer is valid until the
  // next call that modifies this map.
  const Value* Find(const Sha256Digest& key, TimePoint now) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    const auto entry = it->second;
    if (now >= entry->expiry) {
      order_.erase(entry);
      index_.erase(it);
      return nullptr;
    }
    order_.splice(order_.begin(), order_, entry);
    return &entry->value;
  }

  // Stores `value` under `key` until `expiry`, replacing an entry with the same key. When the map
  // is full, the least recently used entry is evicted first.
  void Insert(const Sha256Digest& key, Value value, TimePoint expiry) {
    if (capacity_ == 0) return;
    if (const auto it = index_.find(key); it != index_.end()) {
      it->second->value = std::move(value);
      it->second->expiry = expiry;
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    if (index_.size() >= capacity_) {
      index_.erase(order_.back().key);
      order_.pop_back();
    }
    order_.push_front(Entry{key, std::move(value), expiry});
    index_.emplace(key, order_.begin());
  }

  void Clear() {
    index_.clear();
    order_.clear();
  }

  // Entries held, expired ones included until they are looked up or evicted.
  std::size_t size() const { return index_.size(); }

 private:
  struct Entry {
    Sha256Digest key;
    Value value;
    TimePoint expiry;
  };

  std::size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<Sha256Digest, typename std::list<Entry>::iterator, DigestHash> index_;
};

}  // namespace kauth

#endif  // KAUTH_CACHE_EXPIRING_LRU_H_
