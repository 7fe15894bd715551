import unittest

from pyconf.sizes import format_size, parse_size


class FormatSizeTests(unittest.TestCase):
    def test_bytes(self):
        self.assertEqual(format_size(0), "0 B")
        self.assertEqual(format_size(512), "512 B")

    def test_fractions(self):
        self.assertEqual(format_size(1536), "1.5 KiB")
        self.assertEqual(format_size(5 * 1024**3 // 2), "2.5 GiB")

    def test_exact_unit_boundaries(self):
        self.assertEqual(format_size(1024), "1.0 KiB")
        self.assertEqual(format_size(1024**2), "1.0 MiB")
        self.assertEqual(format_size(1024**4), "1.0 TiB")

    def test_rounding_never_shows_1024(self):
        self.assertEqual(format_size(1024**2 - 1), "1.0 MiB")
        self.assertEqual(format_size(1023), "1023 B")
        self.assertEqual(format_size(1024**5), "1024.0 TiB")

    def test_negative(self):
        with self.assertRaises(ValueError):
            format_size(-1)


class ParseSizeTests(unittest.TestCase):
    def test_units(self):
        self.assertEqual(parse_size("512"), 512)
        self.assertEqual(parse_size("1.5 KiB"), 1536)
        self.assertEqual(parse_size("20MiB"), 20 * 1024**2)

    def test_rejects_unknown_units(self):
        with self.assertRaises(ValueError):
            parse_size("3 parsecs")
