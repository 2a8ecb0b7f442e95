;; A comma-separated list of decimal numbers summed, written the way C++ code with exceptions
;; would be: the parsing functions throw on bad input, and only the outermost function
;; catches. Compare:
;;
;;   struct parse_error { int pos; };   struct overflow { int start; };
;;   long parse_number(const char*& p, const char* end) {
;;     const char* start = p; long v = 0;
;;     if (p == end || !isdigit(*p)) throw parse_error{int(p - base)};
;;     while (p != end && isdigit(*p)) { v = v * 10 + (*p++ - '0');
;;                                       if (v > 999999999) throw overflow{int(start - base)}; }
;;     return v;
;;   }
;;   long sum_list(const char* p, int len) {
;;     try { return parse_all(p, p + len); }
;;     catch (parse_error& e) { return -(e.pos + 1); }
;;     catch (overflow& e)    { return -(1000000 + e.start); }
;;   }
(module
  (memory (export "memory") 1)
  (tag $parse_error (param i32))   ;; the offending byte's position
  (tag $overflow (param i32))      ;; where the too-large number starts

  ;; Reads a number at `pos` (before `end`): its value and the position after it.
  (func $parse_number (param $pos i32) (param $end i32) (result i64 i32)
    (local $start i32) (local $value i64) (local $digit i32)
    (local.set $start (local.get $pos))
    (if (i32.ge_u (local.get $pos) (local.get $end))
      (then (throw $parse_error (local.get $pos))))
    (if (i32.gt_u (i32.sub (i32.load8_u (local.get $pos)) (i32.const 48)) (i32.const 9))
      (then (throw $parse_error (local.get $pos))))
    (block $done
      (loop $digits
        (br_if $done (i32.ge_u (local.get $pos) (local.get $end)))
        (local.set $digit (i32.sub (i32.load8_u (local.get $pos)) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $digit) (i32.const 9)))
        (local.set $value
          (i64.add (i64.mul (local.get $value) (i64.const 10))
                   (i64.extend_i32_u (local.get $digit))))
        (if (i64.gt_u (local.get $value) (i64.const 999999999))
          (then (throw $overflow (local.get $start))))
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (br $digits)))
    (local.get $value)
    (local.get $pos))

  ;; Sums the numbers in [pos, end); throws on anything but digits and single commas.
  (func $parse_all (param $pos i32) (param $end i32) (result i64)
    (local $sum i64) (local $value i64)
    (loop $numbers
      (call $parse_number (local.get $pos) (local.get $end))
      (local.set $pos)
      (local.set $value)
      (local.set $sum (i64.add (local.get $sum) (local.get $value)))
      (if (i32.lt_u (local.get $pos) (local.get $end))
        (then
          (if (i32.ne (i32.load8_u (local.get $pos)) (i32.const 44))
            (then (throw $parse_error (local.get $pos))))
          (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
          (br $numbers))))
    (local.get $sum))

  ;; The sum, or -(position + 1) of a parse error, or -(1000000 + start) of an overflow.
  (func (export "sum_list") (param $ptr i32) (param $len i32) (result i64) (local $at i32)
    (block $bad_number (result i32)
      (block $bad_byte (result i32)
        (try_table (result i64) (catch $parse_error $bad_byte) (catch $overflow $bad_number)
          (call $parse_all (local.get $ptr) (i32.add (local.get $ptr) (local.get $len))))
        (return))
      ;; catch (parse_error& e)
      (local.set $at)
      (return (i64.sub (i64.const -1) (i64.extend_i32_u (local.get $at)))))
    ;; catch (overflow& e)
    (local.set $at)
    (i64.sub (i64.const -1000000) (i64.extend_i32_u (local.get $at))))
)
