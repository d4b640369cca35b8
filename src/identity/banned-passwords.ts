/**
 * Passwords refused whatever their suffix: the most common ones worldwide and the ones
 * Vietnamese users pick (phrases, names of the 63 provinces and their cities, Yên Bái's
 * districts, office words). Written folded (lower case, no diacritics, letters and digits
 * only); `password-policy.ts` folds a candidate the same way, undoes simple leet
 * (p@ssw0rd) and strips digit and symbol suffixes (matkhau@2024) before looking it up.
 */
export const BANNED_PASSWORDS: readonly string[] = [
  // worldwide
  'password', 'passwort', 'motdepasse', 'contrasena', 'senha', 'changeme', 'default', 'secret', 'letmein', 'welcome',
  'administrator', 'admin', 'root', 'guest', 'test', 'testing', 'login', 'user', 'master', 'access', 'hello',
  'helloworld', 'iloveyou', 'iloveu', 'loveyou', 'lovely', 'love', 'princess', 'monkey', 'dragon', 'football',
  'baseball', 'soccer', 'sunshine', 'shadow', 'superman', 'batman', 'spiderman', 'starwars', 'pokemon', 'trustno',
  'whatever', 'freedom', 'computer', 'internet', 'michael', 'jennifer', 'charlie', 'jordan', 'hunter', 'killer',
  'ashley', 'daniel', 'thomas', 'robert', 'family', 'summer', 'winter', 'spring', 'autumn', 'flower', 'angel',
  'qwerty', 'qwertyuiop', 'qwertyui', 'qwer', 'asdf', 'asdfgh', 'asdfghjkl', 'zxcvbnm', 'zxcvbn', 'qazwsx',
  'qazwsxedc', 'qaz', 'wsx', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefgh', 'abcdefghijkl', 'aaaaaa', 'passpass',
  'mypassword', 'newpassword', 'yourpassword', 'nopassword', 'iloveyou', 'blink', 'samsung', 'apple', 'google',
  'microsoft', 'windows', 'facebook', 'zalo', 'gmail', 'yahoo', 'outlook', 'office', 'thunderbird', 'matrix',
  '123456', '1234567', '12345678', '123456789', '1234567890', '12345678910', '123123', '123321', '654321',
  '987654321', '0987654321', '111111', '000000', '121212', '112233', '123654', '147258369', '159753', '1q2w3e4r',
  '1q2w3e4r5t', '1qaz2wsx', '1qazxsw2', 'zaq12wsx', '123qwe', 'qwe123', 'abc123', 'a123456', '123abc', 'aa123456',
  '66668888', '68686868', '868686', '686868', '8888', '6868', '3979', '2468', '13579', '147258', '456789',
  // Vietnamese phrases and words
  'matkhau', 'matkhaumoi', 'doimatkhau', 'quenmatkhau', 'khongcomatkhau', 'matkhaucuatoi', 'matkhauemail', 'mk',
  'anhyeuem', 'emyeuanh', 'anhyeuemnhieu', 'emyeuanhnhieu', 'yeuem', 'yeuanh', 'yeuemnhieu', 'yeuanhnhieu',
  'toiyeuem', 'toiyeuanh', 'toiyeuban', 'yeuemmaimai', 'yeuanhmaimai', 'maimaibennhau', 'tinhyeu', 'hanhphuc',
  'giadinh', 'giadinhlatatca', 'conyeume', 'conyeubo', 'meyeucon', 'boyeucon', 'bome', 'chame', 'bame', 'vochong',
  'vietnam', 'vietnamvodich', 'vodich', 'chienthang', 'thanhcong', 'xinchao', 'chaoban', 'chaomung', 'tambiet',
  'dangnhap', 'dangky', 'quantri', 'quantrivien', 'nguoidung', 'taikhoan', 'baomat', 'khongbiet', 'khongnho',
  'batkhadi', 'anhoi', 'emoi', 'cuncon', 'cunyeu', 'bongbong', 'heocon', 'meocon', 'congchua', 'hoangtu',
  'thienthan', 'emyeu', 'anhyeu', 'vuive', 'binhyen', 'tuoitre', 'hocsinh', 'sinhvien', 'giaovien', 'thayco',
  'hopthu', 'thudientu', 'thuongdientu', 'congvan', 'vanthu', 'vanphong', 'hanhchinh', 'congchuc', 'vienchuc',
  'canbo', 'nhanvien', 'giamdoc', 'truongphong', 'chutich', 'ubnd', 'uybannhandan', 'hdnd', 'tinhuy', 'huyenuy',
  'thanhuy', 'sonoivu', 'noivu', 'nhandan', 'dangvien', 'congdoan', 'doanthanhnien', 'nhanuoc', 'chinhphu',
  'hochiminh', 'bachoh', 'bacho', 'dienbienphu', 'truongsa', 'hoangsa',
  // common family names and given names
  'nguyen', 'tran', 'pham', 'hoang', 'huynh', 'phan', 'dang', 'bui', 'duong', 'trinh', 'dinh', 'lam', 'trung',
  'minh', 'anh', 'linh', 'huong', 'hung', 'tuan', 'dung', 'hoa', 'lan', 'mai', 'thao', 'trang', 'ngoc', 'thanh',
  'hai', 'nam', 'long', 'quang', 'duc', 'hieu', 'phuong', 'thuy', 'hang', 'hanh', 'huyen', 'thu', 'van', 'kien',
  // provinces and cities
  'hanoi', 'thudo', 'haiphong', 'danang', 'cantho', 'saigon', 'tphcm', 'hcm', 'angiang', 'bariavungtau', 'vungtau',
  'bacgiang', 'backan', 'baclieu', 'bacninh', 'bentre', 'binhdinh', 'binhduong', 'binhphuoc', 'binhthuan', 'camau',
  'caobang', 'daklak', 'daclac', 'daknong', 'dienbien', 'dongnai', 'dongthap', 'gialai', 'hagiang', 'hanam',
  'hatinh', 'haiduong', 'haugiang', 'hoabinh', 'hungyen', 'khanhhoa', 'kiengiang', 'kontum', 'laichau', 'lamdong',
  'langson', 'laocai', 'longan', 'namdinh', 'nghean', 'ninhbinh', 'ninhthuan', 'phutho', 'phuyen', 'quangbinh',
  'quangnam', 'quangngai', 'quangninh', 'quangtri', 'soctrang', 'sonla', 'tayninh', 'thaibinh', 'thainguyen',
  'thanhhoa', 'thuathienhue', 'hue', 'tiengiang', 'travinh', 'tuyenquang', 'vinhlong', 'vinhphuc', 'yenbai',
  'dalat', 'nhatrang', 'halong', 'sapa', 'vinh', 'buonmathuot', 'pleiku', 'quynhon', 'phanthiet', 'mientay',
  // Yên Bái's districts and towns
  'nghialo', 'lucyen', 'vanyen', 'mucangchai', 'tramtau', 'tranyen', 'vanchan', 'yenbinh', 'thanhphoyenbai',
  'tinhyenbai',
];
