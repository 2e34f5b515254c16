# Warnings live in an interface target linked privately, so they never leak to consumers.
add_library(kauth_warnings INTERFACE)
target_compile_options(kauth_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wimplicit-fallthrough
  # Designated initializers that name only some fields are idiomatic here.
  -Wno-missing-field-initializers
  # g++ 12 at -O2 pairs Asio's awaitable-frame operator delete with the wrong new for some
  # coroutines (a false positive); clang's check of the same name is sound.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>
  $<$<BOOL:${KAUTH_WERROR}>:-Werror>)

if(KAUTH_SANITIZE)
  # Applied to every target in the tree so the library, tests and their dependencies agree.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
