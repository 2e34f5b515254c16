# Warnings live in an interface target linked privately, so they never leak to consumers.
add_library(kauth_warnings INTERFACE)
target_compile_options(kauth_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wimplicit-fallthrough
  # Designated initializers that name only some fields are idiomatic here.
  -Wno-missing-field-initializers
  $<$<BOOL:${KAUTH_WERROR}>:-Werror>)

if(KAUTH_SANITIZE)
  # Applied to every target in the tree so the library, tests and their dependencies agree.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
